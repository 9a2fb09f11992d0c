"""Removal requests: an account holder asks, staff approve or reject; approval deletes the
influencer with its posts, images and derivatives, and suppresses the handle for good."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.media import media_files_delete_on_commit
from common.ratelimit import rate_limit_hit
from influencers.models import Influencer, RemovalRequest, SuppressedHandle

REMOVAL_RATE_SCOPE = "removal_request"


def removal_request_create(
    *, handle: str, contact_email: str, reason: str, client: str
) -> RemovalRequest:
    """Record a public removal request (counted per client address; fields checked by the model)."""
    rate_limit_hit(scope=REMOVAL_RATE_SCOPE, ident=client)
    request = RemovalRequest(
        handle=handle.strip().lstrip("@"), contact_email=contact_email, reason=reason
    )
    try:
        request.full_clean()
        # The handle as Instagram allows it: the catalogue's own rule (Influencer.handle).
        for validator in Influencer._meta.get_field("handle").validators:
            validator(request.handle)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="invalid_removal_request") from None
    request.save()
    return request


def removal_request_approve(*, request_id: int, staff) -> int:
    """Suppress the handle and delete the influencer(s) it names, with their posts and files
    (post images and derivatives go through the post_delete receiver; the profile image and
    word cloud here), once the transaction commits. Returns how many influencers went."""
    with transaction.atomic():
        request = RemovalRequest.objects.select_for_update().get(pk=request_id)
        if request.status == RemovalRequest.Status.APPROVED:
            return 0
        key = request.handle.lower()
        if not SuppressedHandle.objects.annotate(k=Lower("handle")).filter(k=key).exists():
            SuppressedHandle.objects.create(handle=request.handle, removal_request=request)
        influencers = list(Influencer.objects.annotate(k=Lower("handle")).filter(k=key))
        files = [
            f.name for i in influencers for f in (i.profile_image, i.wordcloud) if f and f.name
        ]
        for influencer in influencers:
            influencer.delete()
        media_files_delete_on_commit(names=files)
        request.status = RemovalRequest.Status.APPROVED
        request.decided_at, request.decided_by = timezone.now(), staff
        request.save(update_fields=["status", "decided_at", "decided_by"])
    return len(influencers)


def removal_request_reject(*, request_id: int, staff, note: str = "") -> None:
    updated = RemovalRequest.objects.filter(
        pk=request_id, status=RemovalRequest.Status.PENDING
    ).update(
        status=RemovalRequest.Status.REJECTED,
        decided_at=timezone.now(),
        decided_by=staff,
        staff_note=note[:500],
    )
    if not updated:
        raise ApplicationError(_("Only a waiting request can be rejected."), code="not_pending")
