from django import template

from recommender.presentation import ranking_notices

register = template.Library()


@register.simple_tag
def result_notices(block) -> list[dict]:
    """The plain-words notices of a stored ranking result, in the active language."""
    return ranking_notices(block or {})
