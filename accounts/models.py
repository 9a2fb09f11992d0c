from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.constants import BRAND_NAME_MAX_LENGTH, USERNAME_MAX_LENGTH
from accounts.usernames import username_key, username_validate

USERNAME_TAKEN = _("This username is taken.")


class Role(models.TextChoices):
    BRAND = "brand", _("Brand")
    CONSUMER = "consumer", _("Consumer")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class BodySize(models.TextChoices):
    # One label everywhere (forms, cards, filters, admin, exports): the letter and its meaning.
    SMALL = "S", _("S (small)")
    MEDIUM = "M", _("M (medium)")
    LARGE = "L", _("L (large)")


class AccountManager(UserManager):
    def get_by_natural_key(self, username):
        """Log-in finds the account whatever the case or width typed (MinJi = minji = ＭｉｎＪｉ):
        usernames are unique by that key, so the key names one account."""
        return self.get(username_key=username_key(username or ""))


class User(AbstractUser):
    """A brand (제조사) or a consumer (소비자); the role is chosen at sign-up."""

    objects = AccountManager()

    username = models.CharField(
        _("username"),
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        validators=[username_validate],
        error_messages={"unique": USERNAME_TAKEN},
    )
    # The case-folded username (accounts/usernames.py): one account per spelling on every database.
    username_key = models.CharField(
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        editable=False,
        error_messages={"unique": USERNAME_TAKEN},
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # Consumers' default recommendation filters.
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    body_size = models.CharField(_("body size"), max_length=1, choices=BodySize.choices, blank=True)
    brand_name = models.CharField(_("brand name"), max_length=BRAND_NAME_MAX_LENGTH, blank=True)
    # Mixed into the session hash: a new value logs every session out without a new password
    # (undoing an e-mail change, accounts/email_changes.py). Empty keeps Django's own hash.
    session_stamp = models.CharField(max_length=32, blank=True, default="", editable=False)

    def _get_session_auth_hash(self, secret=None):
        if not self.session_stamp:
            return super()._get_session_auth_hash(secret=secret)
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "accounts.User.session_stamp",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def clean(self):
        super().clean()  # NFKC-normalises the username
        self.username_key = username_key(self.username)
        taken = User.objects.filter(username_key=self.username_key).exclude(pk=self.pk)
        if self.username_key and taken.exists():
            raise ValidationError({"username": USERNAME_TAKEN}, code="username_taken")

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._password_replaced = True

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        # Django's hash upgrade at log-in re-sets the same password and clears _password first:
        # that is not a new password.
        replaced = getattr(self, "_password_replaced", False) and self._password is not None
        adding = self._state.adding
        super().save(*args, **kwargs)
        if replaced and not adding:
            self._password_replaced = False
            _api_tokens_revoke(user=self)

    @property
    def is_brand(self) -> bool:
        return self.role == Role.BRAND

    @property
    def is_consumer(self) -> bool:
        return self.role == Role.CONSUMER


class ApiToken(models.Model):
    """An API token (`Authorization: Token <secret>`): the secret is shown once, when it is made;
    only its SHA-256 is stored. A user lists and revokes their own (accounts/tokens.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The secret's first characters, so a user can tell their tokens apart.
    prefix = models.CharField(max_length=8, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.prefix}… ({self.user_id})"


def _api_tokens_revoke(*, user: User) -> None:
    """A new password ends every API token, whichever path set it (page, reset, admin, shell)."""
    ApiToken.objects.filter(user=user).delete()


# Teams live in their own module (accounts/teams/); importing them here registers the tables.
# Data-rights tables (consent, withdrawal, staff photo access) live in their own module.
from accounts.privacy.models import (  # noqa: E402, F401
    AccountDeletion,
    ConsentRecord,
    PrivateMediaAccess,
)
from accounts.teams.models import Team, TeamActivity, TeamInvitation, TeamMembership  # noqa: E402,F401
