from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, SavedInfluencer, ShortlistEntry
from common.errors import NotFoundError, PermissionDeniedError

BRANDS_ONLY_MESSAGE = _("Campaigns are for brand accounts.")


def campaigns_allowed(*, user) -> bool:
    """Campaigns and shortlists are for brand accounts: the one home of that rule."""
    return bool(user.is_authenticated and user.is_brand)


def campaigns_access_check(*, user) -> None:
    """PermissionDeniedError unless the user may use campaigns (pages, API and services ask)."""
    if not campaigns_allowed(user=user):
        raise PermissionDeniedError(str(BRANDS_ONLY_MESSAGE), code="brands_only")


def campaign_list(*, user, with_shortlist: bool = False):
    """The user's campaigns; `with_shortlist` fetches their images and shortlists with their
    history in the same go (the API shows them whole)."""
    campaigns = Campaign.objects.filter(owner=user)
    if with_shortlist:
        campaigns = campaigns.prefetch_related(
            "images", "shortlist__history", "shortlist__influencer"
        )
    return campaigns


def campaigns_for_shortlisting(*, user) -> list[Campaign]:
    """The campaigns a page offers for "add to shortlist": a brand's own, none for others."""
    if not campaigns_allowed(user=user):
        return []
    return list(campaign_list(user=user))


def campaign_get(*, user, campaign_id, with_shortlist: bool = False) -> Campaign:
    """The owner's campaign, or NotFoundError (a stranger's id looks like a missing one)."""
    try:
        return campaign_list(user=user, with_shortlist=with_shortlist).get(pk=int(campaign_id))
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


def saved_get(*, user, saved_id) -> SavedInfluencer:
    """One of the user's saved influencers, or NotFoundError (another user's looks missing)."""
    try:
        return saved_list(user=user).get(pk=int(saved_id))
    except (SavedInfluencer.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
