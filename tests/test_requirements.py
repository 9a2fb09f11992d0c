"""Dependencies by purpose (requirements/, issue 22).

train.txt < base.txt < production.txt < test.txt < local.txt, each file including the one before
(`-r`); konlpy.txt is an optional extra on top of base.txt. Every package the code imports
directly is pinned, exactly once, in the file of the purpose it serves, and production installs
no test, lint or translation tool.
"""

import ast
import re
import sys
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
APPS = ["mlcore", "common", "accounts", "influencers", "recommender", "campaigns", "config"]
# The project's own top-level modules (bench scripts import each other by file name).
LOCAL = {*APPS, "tests", "bench", "locale", "manage", *(p.stem for p in ROOT.glob("bench/*.py"))}
NOT_IN_PRODUCTION = {
    "pytest",
    "pytest-django",
    "pytest-timeout",
    "playwright",
    "schemathesis",
    "moto",
    "hypothesis",
    "ruff",
    "polib",
    "pandas",
    "factory-boy",
    "konlpy",
    "jpype1",
    "koreanize-matplotlib",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_in(path: Path) -> dict[str, str]:
    """name -> version of one file's own pins (its includes not followed)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#") or line.startswith("-r "):
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: {line!r} is not an exact pin (name==version)"
        pins[canonical(match[1])] = match[3]
    return pins


def includes_of(path: Path) -> list[Path]:
    return [
        path.parent / line.split(maxsplit=1)[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("-r ")
    ]


def installed_by(name: str) -> dict[str, str]:
    """Every pin `pip install -r requirements/<name>` installs, its includes followed."""
    path = REQUIREMENTS / name
    pins = pins_in(path)
    for included in includes_of(path):
        pins.update(installed_by(included.name))
    return pins


@cache
def distributions_of_module() -> dict[str, list[str]]:
    return {
        module: [canonical(d) for d in dists] for module, dists in packages_distributions().items()
    }


def third_party_imports(paths) -> dict[str, set[str]]:
    """Top-level third-party module -> files importing it (at the top or inside a function)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def unpinned(imports: dict[str, set[str]], pins: dict[str, str]) -> list[str]:
    missing = []
    for module, files in sorted(imports.items()):
        dists = distributions_of_module().get(module)
        if not dists or not set(dists) & set(pins):
            missing.append(f"{module} ({dists or 'not installed'}) imported by {sorted(files)}")
    return missing


def mlcore_closure(*entry_points: str) -> list[Path]:
    """The mlcore modules the entry points import, directly or through each other."""
    seen: set[str] = set()
    todo = list(entry_points)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        tree = ast.parse((ROOT / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("mlcore")
            ):
                if node.module == "mlcore":
                    todo += [
                        f"mlcore.{a.name}"
                        for a in node.names
                        if (ROOT / "mlcore" / f"{a.name}.py").exists()
                    ]
                else:
                    todo.append(node.module)
    return [ROOT / f"{m.replace('.', '/')}.py" for m in sorted(seen) if m != "mlcore"]


def modules_named_in_settings() -> dict[str, set[str]]:
    """Third-party modules named by strings in config/, imported by dotted path and never by an
    import statement: INSTALLED_APPS, middleware and backends, gunicorn's worker class."""
    from django.conf import settings

    names = {app: "INSTALLED_APPS" for app in settings.INSTALLED_APPS}
    dotted = re.compile(r"^[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
    for path in python_files("config"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # a dotted string naming an installed module (not a file name or a logger's)
                if (
                    dotted.match(node.value)
                    and node.value.split(".")[0] in distributions_of_module()
                ):
                    names[node.value] = str(path.relative_to(ROOT))
            elif isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "worker_class":
                names[ast.literal_eval(node.value)] = str(path.relative_to(ROOT))
    found: dict[str, set[str]] = {}
    for name, where in names.items():
        top = name.split(".")[0]
        if top not in sys.stdlib_module_names and top not in LOCAL:
            found.setdefault(top, set()).add(where)
    return found


def test_every_package_the_application_imports_is_pinned_for_production():
    imports = third_party_imports([*python_files(*APPS), ROOT / "manage.py"])
    imports.update(modules_named_in_settings())
    imports.pop("konlpy")  # the optional taggers: requirements/konlpy.txt
    assert {
        "fontTools",
        "gevent",
        "whitenoise",
        "storages",
        "csp",
        "drf_spectacular_sidecar",
    } <= set(imports)

    assert unpinned(imports, installed_by("production.txt")) == []


def test_the_optional_konlpy_taggers_are_pinned_in_their_own_file():
    assert "mlcore/keywords.py" in third_party_imports(python_files("mlcore"))["konlpy"]
    own = pins_in(REQUIREMENTS / "konlpy.txt")

    assert set(own) == {"konlpy", "jpype1"}
    assert includes_of(REQUIREMENTS / "konlpy.txt") == [REQUIREMENTS / "base.txt"]


def test_every_package_the_tests_and_the_tools_import_is_pinned_for_development():
    imports = third_party_imports(python_files("tests", "bench", "locale"))

    assert unpinned(imports, installed_by("local.txt")) == []
    assert unpinned(third_party_imports(python_files("tests")), installed_by("test.txt")) == []


def test_training_and_evaluation_need_only_the_training_requirements():
    """A training machine installs train.txt alone (`python -m mlcore.train`, no web stack)."""
    modules = mlcore_closure("mlcore.train", "mlcore.evaluate")
    assert ROOT / "mlcore" / "inference.py" in modules

    assert unpinned(third_party_imports(modules), installed_by("train.txt")) == []


def test_production_installs_no_test_lint_or_translation_tool():
    production = installed_by("production.txt")

    assert sorted(NOT_IN_PRODUCTION & set(production)) == []
    assert {"pytest", "ruff", "playwright", "pandas"} <= set(installed_by("test.txt"))
    assert "polib" in installed_by("local.txt")


def test_each_package_is_pinned_in_one_file_only():
    homes: dict[str, list[str]] = {}
    for path in sorted(REQUIREMENTS.glob("*.txt")):
        for name in pins_in(path):
            homes.setdefault(name, []).append(path.name)

    assert {name: files for name, files in homes.items() if len(files) > 1} == {}


def test_the_torch_pair_stays_fixed():
    assert pins_in(REQUIREMENTS / "train.txt")["torch"] == "2.14.1"
    assert pins_in(REQUIREMENTS / "train.txt")["torchvision"] == "0.29.1"


@pytest.mark.parametrize("name", ["base.txt", "production.txt", "test.txt", "local.txt"])
def test_each_file_builds_on_the_one_below_it(name):
    chain = ["train.txt", "base.txt", "production.txt", "test.txt", "local.txt"]
    below = chain[chain.index(name) - 1]

    assert includes_of(REQUIREMENTS / name) == [REQUIREMENTS / below]


def test_the_word_cloud_font_ships_with_its_licence():
    from mlcore.fonts import KOREAN_FONT, korean_font_path

    assert Path(korean_font_path()) == KOREAN_FONT
    assert KOREAN_FONT.is_relative_to(ROOT / "mlcore" / "resources")
    assert KOREAN_FONT.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    licence = (KOREAN_FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "NanumGothic" in licence
