from django import template
from django.conf import settings

from accounts.privacy.consents import marketing_consent_get

register = template.Library()


@register.inclusion_tag("accounts/privacy/_profile_data.html", takes_context=True)
def data_rights_panel(context):
    """The profile's "your data" block: export, marketing consent, withdrawal."""
    user = context["request"].user
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "retention_days": settings.QUERY_PHOTO_RETENTION_DAYS,
        "marketing_agreed": marketing_consent_get(user=user),
    }
