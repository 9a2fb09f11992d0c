"""The Graph API token: saved encrypted from admin (or given in INSTAGRAM_GRAPH_TOKEN), checked
with debug_token for its expiry, refused for good once the API says 190."""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.secrets import (
    SecretUnreadable,
    secret_decrypt,
    secret_encrypt,
    secret_fingerprint,
    secret_hint,
    secret_redact,
)
from influencers.graph.client import GraphClient, UsagePacer
from influencers.graph.errors import GraphError, TokenInvalid
from influencers.models import GraphCredential

log = logging.getLogger(__name__)
CREDENTIAL_PK = 1
TOKEN_MAX_LENGTH = 1024
# A refresh run checks the token in use with debug_token when its last check is older than this
# (a token can be revoked or exchanged early; its expiry is what admin warns by).
TOKEN_CHECK_MAX_AGE = dt.timedelta(days=1)


def graph_credential_get() -> GraphCredential:
    credential, _created = GraphCredential.objects.get_or_create(pk=CREDENTIAL_PK)
    return credential


def graph_token_current() -> str:
    """The token refreshes use: the one saved in admin, else INSTAGRAM_GRAPH_TOKEN; "" if none."""
    stored = (
        GraphCredential.objects.filter(pk=CREDENTIAL_PK)
        .values_list("token_encrypted", flat=True)
        .first()
    )
    if stored:
        return secret_decrypt(ciphertext=stored)
    return settings.INSTAGRAM_GRAPH_TOKEN


def graph_token_refused(*, token: str) -> bool:
    """Whether the API refused this very token (190): no refresh uses it again."""
    return GraphCredential.objects.filter(
        pk=CREDENTIAL_PK, refused_fingerprint=secret_fingerprint(plaintext=token)
    ).exists()


def graph_client_build(*, token: str, sleep=time.sleep) -> GraphClient:
    pacer = UsagePacer(
        slow_percent=settings.GRAPH_USAGE_SLOW_PERCENT,
        stop_percent=settings.GRAPH_USAGE_STOP_PERCENT,
        max_delay=settings.GRAPH_SLOW_DELAY_SECONDS,
        limit_wait=settings.GRAPH_RATE_LIMIT_WAIT_SECONDS,
        sleep=sleep,
    )
    return GraphClient(
        base_url=settings.INSTAGRAM_GRAPH_API_URL,
        account_id=settings.INSTAGRAM_BUSINESS_ACCOUNT_ID,
        token=token,
        pacer=pacer,
        timeout=(settings.GRAPH_CONNECT_TIMEOUT, settings.GRAPH_READ_TIMEOUT),
        attempts=settings.GRAPH_RETRY_ATTEMPTS,
        backoff=settings.GRAPH_RETRY_BACKOFF_SECONDS,
    )


@dataclass(frozen=True)
class TokenCheck:
    """What debug_token said of a token: `checked` (its expiry is recorded), or why it could not
    be asked (`error_code`, a REFRESH_ERRORS key, and the API's words): the expiry stays unknown."""

    checked: bool
    error_code: str = ""
    detail: str = ""


def graph_token_check(*, token: str, client: GraphClient | None = None) -> TokenCheck:
    """Ask debug_token about `token` and record its expiry against the token's fingerprint.

    The one check of a token, whichever its source (saved in admin or INSTAGRAM_GRAPH_TOKEN).
    Raises TokenInvalid when Instagram refuses it (190, or is_valid false); the caller decides
    what a refusal means (a pasted token is not saved; the token in use stops every refresh).
    When the API cannot be reached, nothing is learnt: an expiry recorded for another token is
    cleared, one recorded earlier for this very token is kept (a token's expiry does not move).
    `client`: a refresh run's own client, so the call is paced and counted with the run's.
    """
    fingerprint = secret_fingerprint(plaintext=token)
    client = client or graph_client_build(token=token, sleep=lambda s: None)
    try:
        data = client.token_debug()
    except TokenInvalid:
        raise
    except GraphError as exc:
        log.warning("debug_token failed (%s): the token's expiry stays unknown", exc.code)
        graph_credential_get()
        GraphCredential.objects.filter(pk=CREDENTIAL_PK).exclude(
            checked_fingerprint=fingerprint
        ).update(expires_at=None, never_expires=False, checked_at=None, checked_fingerprint="")
        return TokenCheck(checked=False, error_code=exc.code, detail=exc.detail)
    if data.get("is_valid") is False:
        reason = str((data.get("error") or {}).get("message", ""))[:200]
        raise TokenInvalid(secret_redact(reason, token) or "debug_token: is_valid is false")
    expires = data.get("expires_at")
    graph_credential_get()
    GraphCredential.objects.filter(pk=CREDENTIAL_PK).update(
        # Meta's expires_at: seconds since the epoch, or 0 for a token that does not lapse.
        expires_at=dt.datetime.fromtimestamp(expires, tz=dt.UTC)
        if isinstance(expires, int) and expires > 0
        else None,
        never_expires=expires == 0,
        checked_at=timezone.now(),
        checked_fingerprint=fingerprint,
    )
    return TokenCheck(checked=True)


def graph_token_check_due(*, token: str, now=None) -> bool:
    """Whether this token was never checked, or not within TOKEN_CHECK_MAX_AGE."""
    now = now or timezone.now()
    return not GraphCredential.objects.filter(
        pk=CREDENTIAL_PK,
        checked_fingerprint=secret_fingerprint(plaintext=token),
        checked_at__gt=now - TOKEN_CHECK_MAX_AGE,
    ).exists()


def graph_token_current_check() -> TokenCheck:
    """Check the token refreshes use now (staff's "check the token now"); a token Instagram
    refuses is recorded as refused, as a refresh would (TokenInvalid rises after that)."""
    token = graph_token_current()  # SecretUnreadable when the key changed since it was saved
    if not token:
        raise ApplicationError(_("No Instagram token is configured."), code="token_missing")
    try:
        return graph_token_check(token=token)
    except TokenInvalid as exc:
        graph_token_refuse(token=token, detail=exc.detail)
        raise


def graph_token_save(*, token: str) -> GraphCredential:
    """Check a token with debug_token and store it encrypted with its expiry.

    A token the API calls invalid is refused (ApplicationError) and nothing is stored; when the
    API cannot be reached the token is stored with its expiry unknown (the next refresh run
    checks it again).
    """
    token = token.strip()
    if not token or len(token) > TOKEN_MAX_LENGTH or any(c.isspace() for c in token):
        raise ApplicationError(
            _("Paste the access token alone: one word of at most %(limit)d characters.")
            % {"limit": TOKEN_MAX_LENGTH},
            code="bad_token",
        )
    encrypted = secret_encrypt(plaintext=token)  # a missing key fails before anything is asked
    try:
        graph_token_check(token=token)
    except TokenInvalid as exc:
        raise ApplicationError(
            _("Instagram refused this token: %(detail)s") % {"detail": exc.detail},
            code="token_invalid",
        ) from None
    credential = graph_credential_get()  # with the expiry the check recorded for this token
    credential.token_encrypted = encrypted
    credential.token_hint = secret_hint(plaintext=token)
    # A new token: the old one's refusal no longer applies to it.
    credential.refused_fingerprint, credential.refused_reason = "", ""
    credential.refused_at = None
    credential.save()
    return credential


def graph_token_refuse(*, token: str, detail: str) -> bool:
    """Record that the API refused `token` (190); True the first time, when staff are told."""
    fingerprint = secret_fingerprint(plaintext=token)
    graph_credential_get()
    first = (
        GraphCredential.objects.filter(pk=CREDENTIAL_PK)
        .exclude(refused_fingerprint=fingerprint)
        .update(
            refused_fingerprint=fingerprint,
            refused_reason=secret_redact(detail, token)[:500],
            refused_at=timezone.now(),
        )
    )
    if first:
        log.error(
            "Instagram Graph API token %s was refused (%s): every refresh is stopped until a new "
            "token is saved in admin",
            secret_hint(plaintext=token),
            secret_redact(detail, token),
        )
    return bool(first)


def graph_rate_limit_note(*, seconds: float) -> dt.datetime:
    """No call before now + seconds, for every run and process; returns that instant."""
    until = timezone.now() + dt.timedelta(seconds=seconds)
    graph_credential_get()
    GraphCredential.objects.filter(pk=CREDENTIAL_PK).update(rate_limited_until=until)
    return until


def graph_token_status(*, now=None) -> dict:
    """What admin shows about the token: its source, hint, expiry, and the warnings due.

    The expiry is the one debug_token gave for the token in use, whichever its source; an expiry
    recorded for another token (the environment's changed since) is unknown, never shown."""
    now = now or timezone.now()
    credential = GraphCredential.objects.filter(pk=CREDENTIAL_PK).first()
    stored = bool(credential and credential.token_encrypted)
    env_token = settings.INSTAGRAM_GRAPH_TOKEN
    source = "admin" if stored else ("environment" if env_token else "")
    hint = (
        credential.token_hint if stored else (secret_hint(plaintext=env_token) if env_token else "")
    )
    try:
        current = graph_token_current()
    except SecretUnreadable:  # the encryption key changed since the token was saved
        current, unreadable = "", True
    else:
        unreadable = False
    fingerprint = secret_fingerprint(plaintext=current) if current else ""
    refused = bool(fingerprint and credential and credential.refused_fingerprint == fingerprint)
    checked = bool(
        fingerprint
        and credential
        and credential.checked_at
        and credential.checked_fingerprint == fingerprint
    )
    expires_at = credential.expires_at if checked else None
    warn_before = dt.timedelta(days=settings.GRAPH_TOKEN_WARN_DAYS)
    return {
        "source": source,
        "hint": hint,
        "checked_at": credential.checked_at if checked else None,
        "expires_at": expires_at,
        "never_expires": bool(checked and credential.never_expires),
        "expired": bool(expires_at and expires_at <= now),
        "expires_soon": bool(expires_at and now < expires_at <= now + warn_before),
        "refused": refused,
        "unreadable": unreadable,
        "refused_reason": credential.refused_reason if refused else "",
        "account_id_missing": not settings.INSTAGRAM_BUSINESS_ACCOUNT_ID,
        "rate_limited_until": credential.rate_limited_until
        if credential and credential.rate_limited_until and credential.rate_limited_until > now
        else None,
    }
