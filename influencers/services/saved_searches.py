"""Saved searches of the influencer list: a brand member's kept by their team, a consumer's by
themselves; opened again by their query string."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.teams.choices import TeamAction, TeamRole
from accounts.teams.models import Team
from accounts.teams.selectors import team_get_for_member
from accounts.teams.services import team_activity_record, team_personal_ensure
from common.errors import ApplicationError
from influencers.constants import (
    SAVED_SEARCH_NAME_MAX_LENGTH,
    SAVED_SEARCH_QUERY_MAX_LENGTH,
    SAVED_SEARCHES_MAX,
)
from influencers.filters import InfluencerFilterSet
from influencers.models import SavedSearch
from influencers.selectors import saved_search_get


def _query_value(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"  # 3.0 -> "3", 3.5 -> "3.5"
    return str(value)


def saved_search_query(*, filters) -> str:
    """The canonical query string of a search's valid filters (declared order, empty ones
    left out, no page number); ApplicationError naming the filters that do not validate."""
    filterset = InfluencerFilterSet(filters)
    if not filterset.is_valid():
        names = ", ".join(str(filterset.form.fields[name].label) for name in filterset.errors)
        raise ApplicationError(
            _("These filters are not valid, so the search was not saved: %(names)s.")
            % {"names": names},
            code="invalid_filters",
        )
    data = filterset.form.cleaned_data
    return urlencode(
        [
            (name, _query_value(data[name]))
            for name in filterset.filters
            if data.get(name) not in (None, "")
        ]
    )


def saved_search_create(*, user, name: str, filters, team: Team | None = None) -> SavedSearch:
    """Save a search under a name. A brand member's goes to `team` (default: the team they own,
    else the first they manage, as for campaigns), where they must be a manager or owner; a
    consumer's is personal. At most SAVED_SEARCHES_MAX per team, and per consumer."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the search a name."), code="name_required")
    if len(name) > SAVED_SEARCH_NAME_MAX_LENGTH:
        raise ApplicationError(
            _("A search's name has at most %(limit)d characters; this one has %(count)d.")
            % {"limit": SAVED_SEARCH_NAME_MAX_LENGTH, "count": len(name)},
            code="name_too_long",
        )
    query = saved_search_query(filters=filters)
    if len(query) > SAVED_SEARCH_QUERY_MAX_LENGTH:
        raise ApplicationError(_("This search is too long to save."), code="query_too_long")
    if team is None and user.is_brand:
        team = team_personal_ensure(user=user)
    if team is not None:
        team_get_for_member(user=user, team_id=team.pk, need=TeamRole.MANAGER)
    with transaction.atomic():
        # Counted under the team's (or the consumer's) row lock: two tabs cannot pass the limit.
        if team is not None:
            Team.objects.select_for_update().filter(pk=team.pk).first()
            kept = SavedSearch.objects.filter(team=team)
            too_many = _("A team keeps at most %(limit)d saved searches; delete one first.")
        else:
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            kept = SavedSearch.objects.filter(user=user, team__isnull=True)
            too_many = _("You can keep at most %(limit)d saved searches; delete one first.")
        if kept.count() >= SAVED_SEARCHES_MAX:
            raise ApplicationError(
                too_many % {"limit": SAVED_SEARCHES_MAX}, code="too_many_saved_searches"
            )
        saved = SavedSearch.objects.create(user=user, team=team, name=name, query=query)
        if team is not None:
            team_activity_record(
                team=team, actor=user, action=TeamAction.SEARCH_SAVED, subject=name
            )
    return saved


def saved_search_delete(*, user, saved_search_id) -> None:
    """Delete a saved search: a team's needs a manager or owner (it leaves a line in the team's
    activity), a personal one its saver; anyone else gets NotFoundError (404)."""
    saved = saved_search_get(user=user, saved_search_id=saved_search_id, need=TeamRole.MANAGER)
    with transaction.atomic():
        if saved.team is not None:
            team_activity_record(
                team=saved.team, actor=user, action=TeamAction.SEARCH_DELETED, subject=saved.name
            )
        saved.delete()
