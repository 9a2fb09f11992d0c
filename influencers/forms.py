"""The catalogue pages' query-string filters, validated like every other input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from influencers.constants import SEARCH_MAX_LENGTH
from influencers.models import StyleChoices
from influencers.selectors import search_terms, search_words_validate
from mlcore.styles import STYLE_CODES, style_code_from_label


class LookalikeFilterForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    size = forms.ChoiceField(label=_("Body size"), choices=BodySize.choices, required=False)

    def filters(self) -> dict:
        """The valid filters; a bad value (a NUL byte, an unknown code) filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"gender": data.get("gender", ""), "body_size": data.get("size", "")}


class InfluencerFilterForm(LookalikeFilterForm):
    q = forms.CharField(
        label=_("Search handle, word or hashtag"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        strip=True,
        validators=[search_words_validate],
    )
    style = forms.ChoiceField(label=_("Style"), choices=StyleChoices.choices, required=False)

    def style_named_in_search(self) -> str:
        """The style code the search words name ("romantic", "로맨틱", "Street"), when the style
        filter is not set: captions rarely use the English names the style menu shows."""
        cleaned = getattr(self, "cleaned_data", {})
        if cleaned.get("style"):
            return ""
        words = search_terms(cleaned.get("q", ""))  # "#로맨틱" as Instagram users type it
        code = style_code_from_label(" ".join(words)) if words else None
        return code if code in STYLE_CODES else ""

    def filters(self) -> dict:
        data = super().filters()
        cleaned = getattr(self, "cleaned_data", {})
        return {**data, "search": cleaned.get("q", ""), "style": cleaned.get("style", "")}
