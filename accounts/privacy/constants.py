"""Data-rights values: policy versions, consent kinds, export and withdrawal names."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def policy_version() -> str:
    """The version of the privacy policy and terms users agree to (settings.PRIVACY_POLICY_VERSION).
    Raising it asks every user to agree again at their next request (accounts.privacy.middleware);
    the texts live in templates/accounts/privacy/."""
    return settings.PRIVACY_POLICY_VERSION


# The API's error code while a user has not agreed to the current version.
POLICY_CONSENT_REQUIRED = "policy_consent_required"
# Salt of the signed link to a withdrawal's status page.
DELETION_STATUS_SALT = "accounts.privacy.deletion-status"
EXPORT_FILENAME = "stylematch-my-data.zip"


class ConsentKind(models.TextChoices):
    # Required: collecting and using the listed data to run the service (privacy policy + terms).
    REQUIRED = "required", _("Collection and use of personal data (required)")
    MARKETING = "marketing", _("Marketing e-mail (optional)")


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Deleting")
    DONE = "done", _("Deleted")
    FAILED = "failed", _("Failed; it will be tried again")
