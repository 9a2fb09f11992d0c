"""Every opening of a user's private photo by staff is recorded (who, when, which, how)."""

from accounts.privacy.models import PrivateMediaAccess


def private_media_access_record(sender, *, user, names, **kwargs) -> None:
    """Receiver of common.media.private_media_read_by_staff; `sender` names the path ("media",
    "admin")."""
    PrivateMediaAccess.objects.bulk_create(
        [
            PrivateMediaAccess(
                staff=user, staff_username=user.get_username(), name=name, via=sender
            )
            for name in names
            if name
        ]
    )
