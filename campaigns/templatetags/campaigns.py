"""Template tags of campaigns, so pages of lower apps can offer "add to shortlist" without their
views importing campaigns (app layering)."""

from django import template

from campaigns.selectors import campaigns_for_shortlisting

register = template.Library()


@register.simple_tag(takes_context=True)
def shortlist_campaigns(context) -> list:
    """The signed-in brand's campaigns, read once per request however many cards a page shows."""
    request = context["request"]
    if not hasattr(request, "_shortlist_campaigns"):
        request._shortlist_campaigns = campaigns_for_shortlisting(user=request.user)
    return request._shortlist_campaigns
