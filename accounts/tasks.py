"""Thin Celery tasks: take ids, call one service (imported inside the task body)."""

from common.jobs import job_task, previous_run_lost


@job_task("account_deletion", bind=True)
def account_deletion_task(self, deletion_id: int) -> None:
    from accounts.privacy.withdrawal import account_deletion_run

    account_deletion_run(deletion_id=deletion_id, previous_run_lost=previous_run_lost(self))


@job_task("reconcile")
def account_deletions_reconcile_task() -> int:
    from accounts.privacy.withdrawal import account_deletions_reconcile

    return account_deletions_reconcile()


@job_task("reconcile")
def team_activity_prune_task() -> int:
    """Beat, hourly: drop team activity older than TEAM_ACTIVITY_RETENTION_DAYS."""
    from accounts.teams.services import team_activity_prune

    return team_activity_prune()


@job_task("mail")
def password_reset_mail_task(email: str, client: str, domain: str, use_https: bool) -> int:
    from accounts.password_resets import password_reset_mail_send

    return password_reset_mail_send(email=email, client=client, domain=domain, use_https=use_https)


@job_task("mail")
def email_change_notice_task(
    user_id: int, old_email: str, new_email: str, domain: str, use_https: bool
) -> bool:
    from accounts.email_changes import email_change_notice_send

    return email_change_notice_send(
        user_id=user_id,
        old_email=old_email,
        new_email=new_email,
        domain=domain,
        use_https=use_https,
    )
