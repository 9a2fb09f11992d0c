"""The apps form layers and imports run one way (docs/architecture.md).

mlcore < common < accounts < influencers < recommender < campaigns: a module may import its own
app and the apps below it, never one above (a lower app that must trigger a higher one sends a
signal). mlcore is plain Python + torch and imports neither Django nor any app.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["mlcore", "common", "accounts", "influencers", "recommender", "campaigns"]


def imported_top_level_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def upward_imports(app: str) -> list[str]:
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for module in imported_top_level_modules(path) & set(LAYERS) - allowed:
            found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_an_app_above_it(app):
    assert upward_imports(app) == []


def test_mlcore_imports_no_django():
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "mlcore").rglob("*.py"))
        if {"django", "rest_framework", "celery"} & imported_top_level_modules(path)
    ]
    assert found == []


def test_the_check_sees_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from campaigns.models import Campaign\n")
    assert imported_top_level_modules(sample) == {"campaigns"}
