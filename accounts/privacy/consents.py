"""Consent to the privacy policy and terms: recorded per item with the version and the time."""

from django.db import transaction

from accounts.privacy.constants import ConsentKind, policy_version
from accounts.privacy.models import ConsentRecord

# The session remembers that its user agreed to this version, so pages ask the database once.
SESSION_KEY = "policy_version_agreed"


def consents_record(*, user, marketing: bool, version: str | None = None) -> None:
    """Record the required consent (agreed) and the optional marketing answer at `version`
    (the current one by default)."""
    version = version or policy_version()
    with transaction.atomic():
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(user=user, kind=ConsentKind.REQUIRED, version=version, agreed=True),
                ConsentRecord(
                    user=user, kind=ConsentKind.MARKETING, version=version, agreed=marketing
                ),
            ]
        )


def marketing_consent_set(*, user, agreed: bool) -> None:
    ConsentRecord.objects.create(
        user=user, kind=ConsentKind.MARKETING, version=policy_version(), agreed=agreed
    )


def consent_is_current(*, user) -> bool:
    """Whether the user agreed to the current policy version (the required item)."""
    return ConsentRecord.objects.filter(
        user=user, kind=ConsentKind.REQUIRED, version=policy_version(), agreed=True
    ).exists()


def marketing_consent_get(*, user) -> bool:
    """The user's latest answer to marketing e-mail (False when never asked)."""
    latest = (
        ConsentRecord.objects.filter(user=user, kind=ConsentKind.MARKETING)
        .order_by("-answered_at", "-id")
        .first()
    )
    return bool(latest and latest.agreed)


def consents_export(user) -> list[dict]:
    return [
        {
            "consent": record.kind,
            "policy_version": record.version,
            "agreed": record.agreed,
            "answered_at": record.answered_at.isoformat(),
        }
        for record in ConsentRecord.objects.filter(user=user).order_by("answered_at", "id")
    ]


def policy_consent_on_log_in(sender, *, request, user, **kwargs) -> None:
    """Receiver of user_logged_in: the session remembers an agreement to the current version, so
    pages check it at log-in only; without one, the next page asks (accounts.privacy.middleware)."""
    session = getattr(request, "session", None)
    if session is not None and consent_is_current(user=user):
        session[SESSION_KEY] = policy_version()
