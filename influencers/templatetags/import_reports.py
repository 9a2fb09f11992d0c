from django import template

from influencers.imports.fields import import_error_text
from influencers.imports.readers import row_error_text

register = template.Library()


@register.filter
def row_error(error: dict) -> str:
    """A stored import row error in the reader's language."""
    return row_error_text(error)


@register.filter
def import_error(error: str, refusal: dict | None) -> str:
    """A whole-file import error in the reader's language where it was kept as data."""
    return import_error_text(error, refusal)
