"""The catalogue pages' query-string filters, validated like every other input."""

from django import forms
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from accounts.teams.forms import TeamChoiceForm
from influencers.constants import SAVED_SEARCH_NAME_MAX_LENGTH, SAVED_SEARCH_QUERY_MAX_LENGTH


class LookalikeFilterForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    size = forms.ChoiceField(label=_("Body size"), choices=BodySize.choices, required=False)

    def filters(self) -> dict:
        """The valid filters; a bad value (a NUL byte, an unknown code) filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"gender": data.get("gender", ""), "body_size": data.get("size", "")}


class SavedSearchForm(TeamChoiceForm):
    """Save the list's current search: a name, and its query string as the page shows it."""

    name = forms.CharField(
        label=_("Name of the search"),
        max_length=SAVED_SEARCH_NAME_MAX_LENGTH,
        help_text=format_lazy(_("At most {limit} characters."), limit=SAVED_SEARCH_NAME_MAX_LENGTH),
    )
    query = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=SAVED_SEARCH_QUERY_MAX_LENGTH
    )

    def filters(self) -> QueryDict:
        return QueryDict(self.cleaned_data.get("query", ""))
