from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.constants import BRAND_NAME_MAX_LENGTH, USERNAME_MAX_LENGTH
from accounts.models import USERNAME_TAKEN, BodySize, Gender, Role, User
from accounts.password_resets import password_reset_request
from accounts.passwords import password_fields_cap
from accounts.services import POLICY_REQUIRED, user_password_validate, user_sign_up
from accounts.usernames import username_key, username_normalize, username_validate
from common import ratelimit
from common.ratelimit import RateLimitedFormMixin, client_address


class SignUpForm(RateLimitedFormMixin, forms.Form):
    rate_limit_scope = ratelimit.SIGNUP

    role = forms.ChoiceField(label=_("I am a"), choices=Role.choices, widget=forms.RadioSelect)
    username = UsernameField(
        label=_("Username"), max_length=USERNAME_MAX_LENGTH, validators=[username_validate]
    )
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
    brand_name = forms.CharField(
        label=_("Brand name"), max_length=BRAND_NAME_MAX_LENGTH, required=False
    )
    # Asked separately (PIPA): the required consent, and optional marketing e-mail.
    policy_agreed = forms.BooleanField(
        label=_("I agree to the collection and use of my personal data (required)."),
        error_messages={"required": POLICY_REQUIRED},
    )
    marketing_agreed = forms.BooleanField(
        label=_("Send me news and offers by e-mail (optional)."), required=False
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        password_fields_cap(self)

    def rate_limit_counts(self) -> bool:
        """A sign-up counts when it creates an account or finds a name taken (the probe an
        enumerating script makes); a typo in a form (passwords that differ, a missing field)
        does not use up a shared office's allowance."""
        return not self.errors or self.has_error("username", "username_taken")

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
        if not self.errors:  # a weak password is a mistake in the form, not counted either
            try:
                user_password_validate(
                    user=User(username=username_normalize(data["username"]), email=data["email"]),
                    password=data["password1"],
                )
            except ValidationError as exc:
                self.add_error("password1", exc)
        # Whether a name is taken is said only to a form that is otherwise right, and that
        # answer is counted: a script cannot probe names for free by sending bad passwords.
        if (
            not self.errors
            and User.objects.filter(username_key=username_key(data["username"])).exists()
        ):
            self.add_error("username", ValidationError(USERNAME_TAKEN, code="username_taken"))
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
                policy_agreed=data.get("policy_agreed", False),
                marketing_agreed=data.get("marketing_agreed", False),
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the password validators speak without a field
                self.add_error("password1", exc)
                raise
            for name, errors in exc.error_dict.items():
                name = "username" if name == "username_key" else name
                self.add_error(name if name in self.fields else None, errors)
            raise


class LoginForm(RateLimitedFormMixin, auth_forms.AuthenticationForm):
    """The log-in page: counted per client address, password capped before it is checked."""

    rate_limit_scope = ratelimit.LOGIN
    username = UsernameField(
        label=_("Username"),
        max_length=USERNAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password_fields_cap(self)


class AdminLoginForm(RateLimitedFormMixin, AdminAuthenticationForm):
    """/admin/login/: the same count as the log-in page and the token API."""

    rate_limit_scope = ratelimit.LOGIN

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password_fields_cap(self)


class PasswordChangeForm(RateLimitedFormMixin, auth_forms.PasswordChangeForm):
    """Counted per account, so a stolen session cannot guess the old password at speed."""

    rate_limit_scope = ratelimit.PASSWORD_CHANGE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password_fields_cap(self)

    def rate_limit_idents(self) -> list[str]:
        return [f"user:{self.user.pk}"]


class PasswordResetForm(RateLimitedFormMixin, auth_forms.PasswordResetForm):
    """Counted per client address; the mails themselves per address and e-mail pair, by the task
    that sends them (accounts/password_resets.py), so a stranger cannot spend the owner's."""

    rate_limit_scope = ratelimit.PASSWORD_RESET

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def save(self, *, request=None, use_https=False, **_unused):
        """Queue the mail task: the same work whether an account has this address or not."""
        request = request or self.request
        password_reset_request(
            email=self.cleaned_data["email"],
            client=client_address(request),
            domain=get_current_site(request).domain,
            use_https=use_https,
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password chosen from a reset link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password_fields_cap(self)


class ProfileForm(RateLimitedFormMixin, forms.Form):
    """The profile; a new e-mail address also takes the current password, and the checks of
    that password count per account like password changes (a stolen session cannot guess it)."""

    rate_limit_scope = ratelimit.PASSWORD_CHANGE

    email = forms.EmailField(label=_("Email"))
    current_password = forms.CharField(
        label=_("Current password (to change the e-mail address)"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    body_size = forms.ChoiceField(label=_("Body size"), choices=BodySize.choices, required=False)
    brand_name = forms.CharField(
        label=_("Brand name"), max_length=BRAND_NAME_MAX_LENGTH, required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        password_fields_cap(self)

    def rate_limit_idents(self) -> list[str]:
        return [f"user:{self.user.pk}"]

    def rate_limit_counts(self) -> bool:
        return self.email_changed()

    def email_changed(self) -> bool:
        return (
            bool(self.cleaned_data.get("email")) and self.cleaned_data["email"] != self.user.email
        )
