"""Password reset by e-mail: the page queues the same task for any address; the task looks it up.

Issue 21: the page answered in 76 ms for a registered address (it rendered and sent the mail) and
25 ms for an unknown one, so its time told which addresses have accounts. Now the request does the
same work whatever the address (validate, count the client, queue a task with the address) and the
worker looks the address up and sends the mail.

Limits: the page counts requests per client address (scope `password_reset`); the task counts
mails actually sent per client address and e-mail pair (`password_reset_mail`) and, past it,
sends nothing and says nothing. A stranger sending requests for someone's address spends only
their own allowance: the owner's own request still gets its mail.
"""

import logging

from django.conf import settings
from django.contrib.auth import forms as auth_forms

from accounts.tasks import password_reset_mail_task
from common import ratelimit
from common.errors import RateLimitedError
from common.jobs import enqueue

log = logging.getLogger(__name__)

EMAIL_TEMPLATE = "accounts/password_reset_email.txt"
SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"


def password_reset_request(*, email: str, client: str, domain: str, use_https: bool) -> None:
    """What the reset page does for every address, registered or not: queue the mail task.

    Sent at once, not after commit: it writes nothing, and the task reads only accounts that
    exist already. With the broker down the request is lost (logged) and the user asks again.
    """
    enqueue(password_reset_mail_task, email, client, domain, use_https)


def password_reset_mail_send(*, email: str, client: str, domain: str, use_https: bool) -> int:
    """Mail a reset link to each active account with this address; how many mails were sent."""
    form = auth_forms.PasswordResetForm(data={"email": email})
    if not form.is_valid() or not list(form.get_users(form.cleaned_data["email"])):
        return 0
    try:
        ratelimit.rate_limit_hit(
            scope=ratelimit.PASSWORD_RESET_MAIL, ident=f"{client}:{email.strip().casefold()}"
        )
    except RateLimitedError:
        log.info("password reset mail not sent: the limit for this address pair is spent")
        return 0
    sent = len(list(form.get_users(form.cleaned_data["email"])))
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=EMAIL_TEMPLATE,
        extra_email_context={"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
    )
    return sent
