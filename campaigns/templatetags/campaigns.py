"""Template tags of campaigns, so pages of lower apps can offer "add to shortlist" without their
views importing campaigns (app layering)."""

from django import template

from campaigns.selectors import campaigns_for_shortlisting, collection_state

register = template.Library()


@register.simple_tag(takes_context=True)
def shortlist_campaigns(context) -> list:
    """The signed-in brand's campaigns, read once per request however many cards a page shows."""
    request = context["request"]
    if not hasattr(request, "_shortlist_campaigns"):
        request._shortlist_campaigns = campaigns_for_shortlisting(user=request.user)
    return request._shortlist_campaigns


@register.simple_tag(takes_context=True)
def card_actions(context, influencer_id) -> dict:
    """What a card's buttons show for one influencer: saved (and how to undo) or the campaigns
    whose shortlist holds it. The user's state is read once per request (two queries)."""
    request = context["request"]
    if not hasattr(request, "_collection_state"):
        request._collection_state = collection_state(user=request.user)
    state = request._collection_state
    campaigns = shortlist_campaigns(context)
    in_campaigns = state["shortlisted"].get(influencer_id, set())
    return {
        "saved_id": state["saved"].get(influencer_id),
        "campaigns": [{"campaign": c, "has_it": c.pk in in_campaigns} for c in campaigns],
        "shortlisted": [c for c in campaigns if c.pk in in_campaigns],
        "can_add": any(c.pk not in in_campaigns for c in campaigns),
    }
