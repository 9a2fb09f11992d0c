"""Changing an account's e-mail address: it takes the current password, the old address is told,
and its mail holds a signed link that undoes the change for EMAIL_CHANGE_UNDO_DAYS days.

Issue 21: the profile page changed the address without the password, so a stolen session could
point the account at the thief's inbox and take it over through a password reset. Undoing puts
the old address back, logs every session out (a new session stamp) and revokes every API token.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from accounts.tasks import email_change_notice_task
from common.errors import ApplicationError
from common.jobs import enqueue_on_commit

UNDO_SALT = "accounts.email_change_undo"
WRONG_PASSWORD = _("Your current password is needed to change the e-mail address.")


def user_email_change(
    *, user: User, new_email: str, password: str, domain: str, use_https: bool
) -> None:
    """Set a new address once the current password is checked; tell the old one after commit."""
    if not password or not user.check_password(password):
        raise ValidationError(
            {"current_password": ValidationError(WRONG_PASSWORD, code="wrong_password")}
        )
    old_email = user.email
    if new_email == old_email:
        return
    user.email = new_email
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email"])
    if old_email:
        enqueue_on_commit(
            email_change_notice_task, user.pk, old_email, new_email, domain, use_https
        )


def email_change_undo_token(*, user_id: int, old_email: str, new_email: str) -> str:
    return signing.dumps({"user": user_id, "old": old_email, "new": new_email}, salt=UNDO_SALT)


def email_change_notice_send(
    *, user_id: int, old_email: str, new_email: str, domain: str, use_https: bool
) -> bool:
    """Mail the old address that the address changed, with the undo link."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    token = email_change_undo_token(user_id=user_id, old_email=old_email, new_email=new_email)
    context = {
        "username": user.get_username(),
        "domain": domain,
        "new_email": new_email,
        "undo_url": f"{'https' if use_https else 'http'}://{domain}"
        + reverse("accounts:email_change_undo", args=[token]),
        "valid_days": settings.EMAIL_CHANGE_UNDO_DAYS,
    }
    subject = render_to_string("accounts/email_change_subject.txt", context).strip()
    body = render_to_string("accounts/email_change_email.txt", context)
    send_mail(subject, body, None, [old_email])
    return True


def email_change_undo_read(*, token: str) -> dict:
    """The change a link undoes, or ApplicationError when the link is forged or too old."""
    try:
        return signing.loads(
            token,
            salt=UNDO_SALT,
            max_age=timezone.timedelta(days=settings.EMAIL_CHANGE_UNDO_DAYS),
        )
    except signing.SignatureExpired:
        raise ApplicationError(
            _("This link has expired; ask us for help if your address was changed without you."),
            code="link_expired",
        ) from None
    except signing.BadSignature:
        raise ApplicationError(_("This link is not valid."), code="link_invalid") from None


def user_email_change_undo(*, token: str) -> User:
    """Put the old address back, log every session out and revoke every API token.

    The link works while the account's address is not the old one, so a thief who changed the
    address twice (the second notice going to their own inbox) is undone by the first link too.
    """
    change = email_change_undo_read(token=token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=change["user"]).first()
        if user is None:
            raise ApplicationError(_("This link is not valid."), code="link_invalid")
        if user.email == change["old"]:
            raise ApplicationError(
                _("This change was already undone: the account has its old address."),
                code="link_used",
            )
        user.email = change["old"]
        user.session_stamp = secrets.token_hex(16)
        user.save(update_fields=["email", "session_stamp"])
        ApiToken.objects.filter(user=user).delete()
    return user
