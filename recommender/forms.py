from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender, Role
from recommender.models import RecommendationRequest


class RecommendationForm(forms.Form):
    image = forms.FileField(
        label=_("Fashion photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    mode = forms.ChoiceField(label=_("I am looking as a"), choices=Role.choices)
    # Blank is "any": a brand has no gender or body size of its own to fill in.
    gender = forms.ChoiceField(
        label=_("Influencer gender"),
        choices=[("", _("Any gender")), *Gender.choices],
        required=False,
    )
    body_size = forms.ChoiceField(
        label=_("Influencer body size"),
        choices=[("", _("Any body size")), *BodySize.choices],
        required=False,
    )
    ranking = forms.ChoiceField(
        label=_("Ranking"),
        choices=RecommendationRequest.Ranking.choices,
        initial=RecommendationRequest.Ranking.SIMILARITY,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit the validator applies (common/uploads.py words its refusal the same way).
        self.fields["image"].help_text = _("JPEG, PNG or WebP, up to %(mb)d MB.") % {
            "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        }

    @classmethod
    def for_user(cls, user, data=None, files=None):
        initial = {
            "mode": getattr(user, "role", "") or Role.CONSUMER,
            # A consumer starts from their own; a brand (who has neither) from any.
            "gender": getattr(user, "gender", ""),
            "body_size": getattr(user, "body_size", ""),
        }
        form = cls(data, files, initial=initial)
        if getattr(user, "role", "") == Role.CONSUMER:
            # The brand basis (most-liked posts, to sponsor) is a brand's question: a consumer's
            # form offers only the consumer basis, and a forged "brand" is refused.
            form.fields["mode"].choices = [(Role.CONSUMER, Role.CONSUMER.label)]
        return form
