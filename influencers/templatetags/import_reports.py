from django import template

from influencers.imports.fields import import_error_text
from influencers.imports.readers import row_error_text

register = template.Library()


@register.filter
def row_error(error: dict) -> str:
    """A stored import row error in the reader's language."""
    return row_error_text(error)


@register.filter
def import_error(error: str, kept: dict | None) -> str:
    """A whole-file import error in the reader's language where it was kept as data: `kept` is the
    job's report or the preview, whose "refusal" holds it (a filter's argument must resolve, so
    the template passes the dict that may hold one)."""
    refusal = kept.get("refusal") if isinstance(kept, dict) else None
    return import_error_text(error, refusal)
