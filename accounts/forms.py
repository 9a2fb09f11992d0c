from django import forms
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender, Role, User
from accounts.services import user_sign_up


class SignUpForm(forms.Form):
    role = forms.ChoiceField(label=_("I am a"), choices=Role.choices, widget=forms.RadioSelect)
    username = UsernameField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    body_size = forms.ChoiceField(
        label=_("Body size"), choices=[("", "—"), *BodySize.choices], required=False
    )
    brand_name = forms.CharField(label=_("Brand name"), max_length=120, required=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."), code="username_taken")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        role = data.get("role")
        if role == Role.CONSUMER:
            for field in ("gender", "body_size"):
                if not data.get(field):
                    self.add_error(field, _("Consumers choose this; it filters recommendations."))
        if role == Role.BRAND and not data.get("brand_name"):
            self.add_error("brand_name", _("Brands give their brand name."))
        return data

    def save(self) -> User:
        data = self.cleaned_data
        try:
            return user_sign_up(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                role=data["role"],
                gender=data.get("gender", ""),
                body_size=data.get("body_size", ""),
                brand_name=data.get("brand_name", ""),
            )
        except ValidationError as exc:
            self.add_error("password1", exc)
            raise


class ProfileForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    body_size = forms.ChoiceField(label=_("Body size"), choices=BodySize.choices, required=False)
    brand_name = forms.CharField(label=_("Brand name"), max_length=120, required=False)
