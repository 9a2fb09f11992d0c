"""Password length cap, applied before any hashing on every path that takes a password."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from accounts.constants import PASSWORD_MAX_LENGTH


class MaximumLengthValidator:
    """An AUTH_PASSWORD_VALIDATORS entry: set-password forms in admin and elsewhere refuse it."""

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                _("Passwords are at most %(n)d characters.") % {"n": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Your password can be at most %(n)d characters.") % {"n": self.max_length}


def password_fields_cap(form: forms.Form) -> None:
    """Cap every password input of a form, so an oversized one fails before it is hashed."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.PasswordInput):
            field.max_length = PASSWORD_MAX_LENGTH
            field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)
