"""Demo influencers in the reader's language: their stored name and bio are Korean data
("데모 07", the demo notice), so pages name them through these filters instead."""

import re

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

DEMO_BIO_MESSAGE = gettext_noop(
    "A fictional StyleMatch demo influencer: not a real account, and every image is generated."
)
_NUMBER = re.compile(r"(\d+)")


@register.filter
def display_name_shown(influencer) -> str:
    """The display name; a demo influencer's as "Demo influencer 07" in the active language."""
    name = influencer.display_name or ""
    if not influencer.is_demo:
        return name
    found = _NUMBER.search(name)
    return _("Demo influencer %(n)s") % {"n": found.group(1) if found else ""}


@register.filter
def bio_shown(influencer) -> str:
    """The bio; a demo influencer's as the demo notice in the active language."""
    return _(DEMO_BIO_MESSAGE) if influencer.is_demo else influencer.bio
