from django.utils.translation import gettext_lazy as _

from accounts.teams.choices import TeamRole, roles_at_least
from accounts.teams.selectors import member_role_subquery, role_check
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


def campaign_list(*, user, with_shortlist: bool = False, need: str = TeamRole.VIEWER):
    """The campaigns of the teams the user belongs to with at least `need`, each with the user's
    `member_role`; `with_shortlist` fetches their images and shortlists with their history in
    the same go (the API shows them whole).

    Membership is read here on every call: a member removed a moment ago sees nothing."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    campaigns = (
        Campaign.objects.filter(
            team__memberships__user=user, team__memberships__role__in=roles_at_least(need)
        )
        .annotate(member_role=member_role_subquery(user=user))
        .select_related("team", "created_by")
    )
    if with_shortlist:
        campaigns = campaigns.prefetch_related(
            "images__recommendation__user",
            "shortlist__history__changed_by",
            "shortlist__influencer",
            "shortlist__added_by",
        )
    return campaigns


def campaigns_for_shortlisting(*, user) -> list[Campaign]:
    """The campaigns a page offers for "add to shortlist": those the user may change."""
    if not campaigns_allowed(user=user):
        return []
    return list(campaign_list(user=user, need=TeamRole.MANAGER))


def campaign_get_for_member(
    *, user, campaign_id, need: str = TeamRole.VIEWER, with_shortlist: bool = False
) -> Campaign:
    """A campaign of one of the user's teams: NotFoundError for anyone outside the team (the
    same answer as a missing id), PermissionDeniedError for a member whose role is below
    `need` (a viewer trying to write)."""
    try:
        campaign = campaign_list(user=user, with_shortlist=with_shortlist).get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError() from None
    role_check(role=campaign.member_role, need=need)
    return campaign


def shortlist_entry_get(*, campaign: Campaign, entry_id) -> ShortlistEntry:
    try:
        return campaign.shortlist.get(pk=int(entry_id))
    except (ShortlistEntry.DoesNotExist, ValueError, TypeError, OverflowError):
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
            campaign__in=campaign_list(user=user, need=TeamRole.MANAGER).values("pk"),
            influencer__isnull=False,
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
