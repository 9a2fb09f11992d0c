"""Saved searches of the influencer list: kept per user, opened again by their query string."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

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


def saved_search_create(*, user, name: str, filters) -> SavedSearch:
    """Save a user's search under a name (at most SAVED_SEARCHES_MAX per user)."""
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
    with transaction.atomic():
        # Counted under the user's row lock, so two tabs cannot pass the limit together.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if SavedSearch.objects.filter(user=user).count() >= SAVED_SEARCHES_MAX:
            raise ApplicationError(
                _("You can keep at most %(limit)d saved searches; delete one first.")
                % {"limit": SAVED_SEARCHES_MAX},
                code="too_many_saved_searches",
            )
        return SavedSearch.objects.create(user=user, name=name, query=query)


def saved_search_delete(*, user, saved_search_id) -> None:
    """Delete one of the user's saved searches; another user's is NotFoundError (404)."""
    saved_search_get(user=user, saved_search_id=saved_search_id).delete()
