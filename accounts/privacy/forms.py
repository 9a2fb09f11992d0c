from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.constants import PASSWORD_MAX_LENGTH


class PolicyConsentForm(forms.Form):
    """Agreement to a new version of the privacy policy and terms (asked at the next visit)."""

    policy_agreed = forms.BooleanField(
        label=_("I agree to the collection and use of my personal data (required)."),
        error_messages={"required": _("Agree to continue, or log out.")},
    )
    marketing_agreed = forms.BooleanField(
        label=_("Send me news and offers by e-mail (optional)."), required=False
    )


class WithdrawalForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and all my data will be deleted for good.")
    )
