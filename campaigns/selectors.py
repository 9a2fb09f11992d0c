from campaigns.models import Campaign, SavedInfluencer, ShortlistEntry
from common.errors import NotFoundError


def campaign_list(*, user):
    return Campaign.objects.filter(owner=user)


def campaigns_for_shortlisting(*, user) -> list[Campaign]:
    """The campaigns a page offers for "add to shortlist": a brand's own, none for others."""
    if not (user.is_authenticated and user.is_brand):
        return []
    return list(campaign_list(user=user))


def campaign_get(*, user, campaign_id) -> Campaign:
    """The owner's campaign, or NotFoundError (a stranger's id looks like a missing one)."""
    try:
        return campaign_list(user=user).get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def shortlist_entry_get(*, campaign: Campaign, entry_id) -> ShortlistEntry:
    try:
        return campaign.shortlist.get(pk=int(entry_id))
    except (ShortlistEntry.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def collection_state(*, user) -> dict:
    """What the user already saved or shortlisted, for every card and button of a page.

    {"saved": {influencer_id: saved_id}, "shortlisted": {influencer_id: {campaign_id, ...}}};
    two queries, whatever the number of cards.
    """
    state = {"saved": {}, "shortlisted": {}}
    if not user.is_authenticated:
        return state
    if user.is_brand:
        rows = ShortlistEntry.objects.filter(
            campaign__owner=user, influencer__isnull=False
        ).values_list("influencer_id", "campaign_id")
        for influencer_id, campaign_id in rows:
            state["shortlisted"].setdefault(influencer_id, set()).add(campaign_id)
    else:
        state["saved"] = dict(
            SavedInfluencer.objects.filter(user=user, influencer__isnull=False).values_list(
                "influencer_id", "pk"
            )
        )
    return state


def saved_list(*, user):
    return SavedInfluencer.objects.filter(user=user).select_related("influencer")
