"""Filters of the follower-history section: shares that may be small or negative."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def signed_percent(value) -> str:
    """+2.5% / -0.8% / 0.0%: growth keeps its sign and one decimal."""
    if value is None:
        return "—"
    number = float(value) * 100
    sign = "+" if number > 0 else ""
    return f"{sign}{number_format(round(number, 1), 1)}%"


@register.filter
def percent_precise(value) -> str:
    """An engagement rate with two decimals (2.35%); — when unknown."""
    if value is None:
        return "—"
    return f"{number_format(round(float(value) * 100, 2), 2)}%"
