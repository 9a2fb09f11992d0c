"""The Graph API token: saved encrypted from admin (or given in INSTAGRAM_GRAPH_TOKEN), checked
with debug_token for its expiry, refused for good once the API says 190."""

import datetime as dt
import logging
import time

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


def graph_token_save(*, token: str) -> GraphCredential:
    """Check a token with debug_token and store it encrypted with its expiry.

    A token the API calls invalid is refused (ApplicationError) and nothing is stored; when the
    API cannot be reached the token is stored with its expiry unknown (checked_at stays empty).
    """
    token = token.strip()
    if not token or len(token) > TOKEN_MAX_LENGTH or any(c.isspace() for c in token):
        raise ApplicationError(
            _("Paste the access token alone: one word of at most %(limit)d characters.")
            % {"limit": TOKEN_MAX_LENGTH},
            code="bad_token",
        )
    credential = graph_credential_get()
    credential.expires_at, credential.never_expires, credential.checked_at = None, False, None
    try:
        data = graph_client_build(token=token, sleep=lambda s: None).token_debug()
    except TokenInvalid as exc:
        raise ApplicationError(
            _("Instagram refused this token: %(detail)s") % {"detail": exc.detail},
            code="token_invalid",
        ) from None
    except GraphError as exc:
        log.warning("token saved unchecked: debug_token failed (%s)", exc.code)
    else:
        if data.get("is_valid") is False:
            reason = secret_redact(str((data.get("error") or {}).get("message", ""))[:200], token)
            raise ApplicationError(
                _("Instagram says this token is not valid. %(detail)s") % {"detail": reason},
                code="token_invalid",
            )
        expires = data.get("expires_at")
        if isinstance(expires, int) and expires > 0:
            credential.expires_at = dt.datetime.fromtimestamp(expires, tz=dt.UTC)
        elif expires == 0:
            credential.never_expires = True
        credential.checked_at = timezone.now()
    credential.token_encrypted = secret_encrypt(plaintext=token)
    credential.token_hint = secret_hint(plaintext=token)
    # A new token: the old one's refusal and rate-limit pause no longer apply to it.
    credential.refused_fingerprint, credential.refused_reason, credential.refused_at = "", "", None
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
    """What admin shows about the token: its source, hint, expiry, and the warnings due."""
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
    refused = bool(
        credential
        and credential.refused_fingerprint
        and current
        and credential.refused_fingerprint == secret_fingerprint(plaintext=current)
    )
    expires_at = credential.expires_at if stored else None
    warn_before = dt.timedelta(days=settings.GRAPH_TOKEN_WARN_DAYS)
    return {
        "source": source,
        "hint": hint,
        "expires_at": expires_at,
        "never_expires": bool(stored and credential.never_expires),
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
