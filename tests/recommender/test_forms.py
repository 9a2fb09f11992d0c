"""The recommendation form: what it offers and what it says."""

from django.test import override_settings
from django.utils import translation

from recommender.forms import RecommendationForm


def test_the_photo_help_text_states_the_upload_limit_in_force():
    with override_settings(UPLOAD_MAX_BYTES=4 * 1024 * 1024), translation.override("en"):
        assert RecommendationForm().fields["image"].help_text == "JPEG, PNG or WebP, up to 4 MB."
    with translation.override("ko"):
        assert "최대 10 MB" in str(RecommendationForm().fields["image"].help_text)
