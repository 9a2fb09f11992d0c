from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from campaigns.constants import (
    CAMPAIGN_BRIEF_MAX_LENGTH,
    CAMPAIGN_NAME_MAX_LENGTH,
    STAGE_NOTE_MAX_LENGTH,
)
from campaigns.models import Stage


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=CAMPAIGN_NAME_MAX_LENGTH)
    brief = forms.CharField(
        label=_("Brief"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=CAMPAIGN_BRIEF_MAX_LENGTH,
    )
    target_gender = forms.ChoiceField(label=_("Influencer gender"), choices=Gender.choices)
    target_body_size = forms.ChoiceField(label=_("Influencer body size"), choices=BodySize.choices)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CampaignImageForm(forms.Form):
    image = forms.FileField(
        label=_("Product or concept image"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=STAGE_NOTE_MAX_LENGTH)


class InfluencerPickForm(forms.Form):
    """The influencer a save or shortlist button sends."""

    influencer_id = forms.IntegerField(min_value=1)
