from django import template

from influencers.imports.readers import row_error_text

register = template.Library()


@register.filter
def row_error(error: dict) -> str:
    """A stored import row error in the reader's language."""
    return row_error_text(error)
