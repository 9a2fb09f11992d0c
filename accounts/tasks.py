"""Thin Celery tasks of accounts: each calls one service (imported inside the task body)."""

from common.jobs import job_task


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
