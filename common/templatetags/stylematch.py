from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join

from common.instagram import instagram_post_url, instagram_profile_url
from common.style_models import style_model_summary
from common.styles import style_label

register = template.Library()


@register.filter
def media_url(name: str) -> str:
    """URL of a stored file name (signed and expiring on S3-compatible storage)."""
    return default_storage.url(name) if name else ""


@register.filter
def style_name(code: str) -> str:
    return style_label(code)


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def is_low_confidence(value) -> bool:
    return value is not None and float(value) < settings.LOW_CONFIDENCE_THRESHOLD


@register.filter
def snippet(pieces) -> str:
    """Snippet pieces [{"text", "match"}] as HTML: every piece escaped, matches in <mark>."""
    return format_html_join(
        "",
        "{}",
        ((format_html("<mark>{}</mark>", p["text"]) if p["match"] else p["text"],) for p in pieces),
    )


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The current query string with another page number, so paging keeps search and filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def style_model(version) -> dict | None:
    """A model version (any object with name, is_demo and metrics) as users are told about it."""
    if version is None:
        return None
    return style_model_summary(name=version.name, is_demo=version.is_demo, metrics=version.metrics)


@register.filter
def instagram_profile(influencer) -> str:
    """The Instagram profile address of an influencer, a card or a summary dict ('' for demo)."""
    get = influencer.get if isinstance(influencer, dict) else lambda k: getattr(influencer, k, "")
    return instagram_profile_url(get("handle") or "", is_demo=bool(get("is_demo")))


@register.filter
def post_instagram(post) -> str:
    """A post's address on Instagram ('' when none is known); the post's influencer is loaded."""
    return instagram_post_url(
        permalink=post.permalink, post_id=post.instagram_id, is_demo=post.influencer.is_demo
    )
