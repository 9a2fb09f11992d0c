"""Withdrawal (회원 탈퇴): deactivate at once, delete everything of the user in a background job.

The request (password re-entered) deactivates the account, ends its API tokens and records an
AccountDeletion row; the job then deletes every app's rows through the user-data registry
(common/user_data.py: campaigns, requests, saved lists, ... each app registers its own part),
the user's sessions and the user, and each part deletes its files (photos, cached thumbnails)
once that transaction commits. The row's status is what the status page shows.
"""

import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.privacy.constants import DELETION_STATUS_SALT, DeletionStatus
from accounts.privacy.models import AccountDeletion
from accounts.tasks import account_deletion_task
from common import ratelimit
from common.errors import ApplicationError, NotFoundError
from common.jobs import claim, deadline_passed_before, enqueue, enqueue_on_commit
from common.ratelimit import rate_limit_hit
from common.user_data import user_data_parts

log = logging.getLogger(__name__)


def account_withdrawal_request(*, user: User, password: str) -> AccountDeletion:
    """Check the password, deactivate the account and queue its deletion after commit.

    Counted with password changes (per account): a stolen session cannot guess at speed.
    """
    rate_limit_hit(scope=ratelimit.PASSWORD_CHANGE, ident=f"user:{user.pk}")
    if not user.check_password(password):
        raise ApplicationError(_("The password is not correct."), code="wrong_password")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        ApiToken.objects.filter(user=user).delete()
        deletion = AccountDeletion.objects.create(user=user)
        enqueue_on_commit(account_deletion_task, deletion.pk)
    user.is_active = False
    return deletion


def account_deletion_run(*, deletion_id: int, previous_run_lost: bool = False) -> None:
    """Claim the deletion and delete the user's rows and files; a failure is kept on the row and
    the reconciler tries again."""
    source = [DeletionStatus.PENDING, DeletionStatus.FAILED]
    if previous_run_lost:
        source.append(DeletionStatus.RUNNING)
    claimed = claim(
        AccountDeletion.objects.filter(pk=deletion_id),
        source=source,
        target=DeletionStatus.RUNNING,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return  # done already, or another worker has it
    deletion = AccountDeletion.objects.select_related("user").get(pk=deletion_id)
    try:
        with transaction.atomic():
            files = _user_delete(deletion.user) if deletion.user else 0
            AccountDeletion.objects.filter(pk=deletion_id).update(
                status=DeletionStatus.DONE,
                finished_at=timezone.now(),
                files_deleted=files,
                failure_reason="",
            )
    except Exception as exc:
        log.exception("account deletion %s failed", deletion_id)
        AccountDeletion.objects.filter(pk=deletion_id).update(
            status=DeletionStatus.FAILED, failure_reason=f"{type(exc).__name__}: {exc}"[:500]
        )


def _user_delete(user: User) -> int:
    """Inside a transaction: every registered part's rows (files after commit), the sessions,
    the user. Returns how many files go."""
    files = 0
    for part in user_data_parts():
        files += part.delete(user=user) or 0
    _sessions_delete(user)
    user.delete()
    return files


def _sessions_delete(user: User) -> None:
    """Delete the user's stored sessions (they would be refused anyway: the user is gone)."""
    key = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id", "")) == key
    ]
    Session.objects.filter(pk__in=stale).delete()


def account_deletions_reconcile(*, now=None) -> int:
    """Re-queue deletions waiting, failed, or silent while running past the deadline."""
    now = now or timezone.now()
    deadline = deadline_passed_before("account_deletion", now=now)
    stuck = AccountDeletion.objects.filter(
        Q(status=DeletionStatus.FAILED)
        | Q(status=DeletionStatus.PENDING, requested_at__lt=deadline)
        | Q(status=DeletionStatus.RUNNING, claimed_at__lt=deadline)
    ).filter(attempts__lt=settings.ACCOUNT_DELETION_MAX_ATTEMPTS)
    requeued = 0
    for deletion in stuck:
        reset = AccountDeletion.objects.filter(
            pk=deletion.pk, status=deletion.status, claimed_at=deletion.claimed_at
        ).update(status=DeletionStatus.PENDING, claimed_at=now)
        if reset and enqueue(account_deletion_task, deletion.pk):
            requeued += 1
    return requeued


def deletion_status_token(*, deletion: AccountDeletion) -> str:
    """The signed token of a deletion's status link (shown after log-out; no log-in needed)."""
    return signing.dumps(deletion.pk, salt=DELETION_STATUS_SALT)


def deletion_from_token(*, token: str) -> AccountDeletion:
    try:
        pk = signing.loads(token, salt=DELETION_STATUS_SALT)
        return AccountDeletion.objects.get(pk=int(pk))
    except (signing.BadSignature, AccountDeletion.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
