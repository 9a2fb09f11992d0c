from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender, Role
from recommender.models import RecommendationRequest


class RecommendationForm(forms.Form):
    image = forms.FileField(
        label=_("Fashion photo"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    mode = forms.ChoiceField(label=_("I am looking as a"), choices=Role.choices)
    gender = forms.ChoiceField(label=_("Influencer gender"), choices=Gender.choices)
    body_size = forms.ChoiceField(label=_("Influencer body size"), choices=BodySize.choices)
    ranking = forms.ChoiceField(
        label=_("Ranking"),
        choices=RecommendationRequest.Ranking.choices,
        initial=RecommendationRequest.Ranking.SIMILARITY,
    )

    @classmethod
    def for_user(cls, user, data=None, files=None):
        initial = {
            "mode": getattr(user, "role", "") or Role.CONSUMER,
            "gender": getattr(user, "gender", "") or Gender.FEMALE,
            "body_size": getattr(user, "body_size", "") or BodySize.MEDIUM,
        }
        form = cls(data, files, initial=initial)
        if getattr(user, "role", "") == Role.CONSUMER:
            # The brand basis (most-liked posts, to sponsor) is a brand's question: a consumer's
            # form offers only the consumer basis, and a forged "brand" is refused.
            form.fields["mode"].choices = [(Role.CONSUMER, Role.CONSUMER.label)]
        return form
