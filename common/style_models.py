"""How a style model is described to users, on every page and in the API: one builder.

A demo model is trained on generated pictures: its validation figures say how well it tells
generated pictures apart, nothing about a real photo, so none is shown; a notice says so instead.
A real model shows its held-out top-1 and top-3 with the name of the set they were measured on.
"""

from django.utils import translation
from django.utils.translation import gettext as _


def _demo_notice() -> str:
    return _(
        "Demo model: it was trained on generated pictures, so its answer on a real photo is "
        "not meaningful."
    )


def style_model_summary(*, name: str, is_demo: bool, metrics: dict | None) -> dict:
    """{name, is_demo, notice (active language), notice_ko, notice_en, top1, top3, evaluation_set};
    the figures are None for a demo model."""
    metrics = metrics or {}
    if is_demo:
        with translation.override("ko"):
            korean = _demo_notice()
        with translation.override("en"):
            english = _demo_notice()
        return {
            "name": name,
            "is_demo": True,
            "notice": _demo_notice(),
            "notice_ko": korean,
            "notice_en": english,
            "top1": None,
            "top3": None,
            "evaluation_set": "",
        }
    evaluation_set = metrics.get("evaluation_set", "")
    return {
        "name": name,
        "is_demo": False,
        "notice": "",
        "notice_ko": "",
        "notice_en": "",
        "top1": metrics.get("val_top1"),
        "top3": metrics.get("val_top3"),
        # the evaluation command stores a dict (with its name); training stores the name
        "evaluation_set": evaluation_set.get("description", "")
        if isinstance(evaluation_set, dict)
        else str(evaluation_set),
    }
