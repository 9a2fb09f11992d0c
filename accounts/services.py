"""Account writes. Password validators run here, so every sign-up path enforces them."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import USERNAME_TAKEN, Role, User
from accounts.privacy.consents import consents_record
from accounts.usernames import username_normalize

POLICY_REQUIRED = _("Agree to the collection and use of your data to create an account.")


def user_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    gender: str = "",
    body_size: str = "",
    brand_name: str = "",
    policy_agreed: bool = False,
    marketing_agreed: bool = False,
) -> User:
    """Create a brand or consumer account after Django's password validators accept it and the
    person agreed to the collection and use of their data (recorded with the policy version)."""
    if not policy_agreed:
        raise ValidationError({"policy_agreed": POLICY_REQUIRED}, code="policy_required")
    user = User(
        username=username_normalize(username),
        email=email,
        role=role,
        gender=gender if role == Role.CONSUMER else "",
        body_size=body_size if role == Role.CONSUMER else "",
        brand_name=brand_name if role == Role.BRAND else "",
    )
    user_password_validate(user=user, password=password)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
            consents_record(user=user, marketing=marketing_agreed)
    except IntegrityError:  # the same spelling signed up a moment ago
        raise ValidationError({"username": USERNAME_TAKEN}, code="username_taken") from None
    return user


def user_profile_update(
    *, user: User, gender: str = "", body_size: str = "", brand_name: str = ""
) -> User:
    """The profile's own fields; the e-mail address changes only through
    accounts.email_changes.user_email_change (it takes the password)."""
    if user.is_consumer:
        user.gender, user.body_size = gender, body_size
    else:
        user.brand_name = brand_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["gender", "body_size", "brand_name"])
    return user


def user_password_validate(*, user: User, password: str) -> None:
    """Django's password validators for this (unsaved) user; ValidationError with their messages.
    The sign-up form asks first, so a weak password is a form error that is not counted."""
    validate_password(password, user=user)
