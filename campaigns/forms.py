from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from accounts.teams.forms import TeamChoiceForm
from campaigns.constants import (
    CAMPAIGN_BRIEF_MAX_LENGTH,
    CAMPAIGN_NAME_MAX_LENGTH,
    STAGE_NOTE_MAX_LENGTH,
)
from campaigns.models import ShortlistEntry, Stage
from campaigns.services import shortlist_stage_moves


class CampaignForm(TeamChoiceForm):
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


class StageMoveField(forms.ChoiceField):
    """Offers the moves allowed from the entry's stage, accepts any stage: a move that is no
    longer allowed (a page left open while the stage changed elsewhere) reaches the service,
    whose refusal names the moves that are allowed now, and the note typed with it stays."""

    def valid_value(self, value):
        return value in Stage.values


class StageForm(forms.Form):
    """A shortlist entry's form: a note, and a move to one of the stages allowed from here.

    Leaving the stage as it is adds the note alone, so a note never needs a stage change.
    """

    stage = StageMoveField(
        label=_("Stage"), required=False, error_messages={"invalid_choice": _("Unknown stage.")}
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=STAGE_NOTE_MAX_LENGTH,
        help_text=format_lazy(_("At most {limit} characters."), limit=STAGE_NOTE_MAX_LENGTH),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, entry: ShortlistEntry, **kwargs):
        kwargs.setdefault("prefix", f"entry-{entry.pk}")
        super().__init__(*args, **kwargs)
        self.entry = entry
        current = Stage(entry.stage).label
        self.fields["stage"].choices = [
            ("", _("Keep: %(stage)s") % {"stage": current}),
            *[(s.value, "→ " + str(s.label)) for s in shortlist_stage_moves(entry=entry)],
        ]
        self.fields["stage"].widget.attrs["aria-describedby"] = f"{self.prefix}-current"
        # A browser cuts pasted text at maxlength without a word; the limit is shown instead and
        # a longer note is refused with its length, keeping what was typed.
        note = self.fields["note"].widget.attrs
        note.pop("maxlength", None)
        note["aria-describedby"] = f"{self['note'].auto_id}_helptext"

    def clean(self):
        data = super().clean()
        if self.has_error("note") or self.has_error("stage"):
            return data  # that field's own message says what is wrong; nothing to add
        if not data.get("stage") and not (data.get("note") or "").strip():
            raise forms.ValidationError(
                _("Choose a new stage or write a note."), code="nothing_to_save"
            )
        return data


class CampaignPickForm(forms.Form):
    """The campaign a card's "add to shortlist" form picked in its select."""

    campaign = forms.IntegerField(min_value=1)


class InfluencerPickForm(forms.Form):
    """The influencer a save or shortlist button sends."""

    influencer_id = forms.IntegerField(min_value=1)
