"""API tokens: made at token log-in, listed and revoked by their owner, checked on every call.

The secret is shown once, when the token is made; only its SHA-256 is stored, so neither the
database nor the token list can give it back. A user holds up to API_TOKENS_MAX tokens (one per
script or device); making one more revokes the least recently used. A new password revokes them
all (accounts.models.User.save); so does "revoke all" on the tokens page and API, and log-out
through the API revokes the token that calls it.
"""

import hashlib
import secrets

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.constants import API_TOKEN_LAST_USED_STEP_SECONDS, API_TOKENS_MAX
from accounts.models import ApiToken, User
from common.errors import NotFoundError


def api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret (to show once); past API_TOKENS_MAX the least
    recently used of the user's tokens is revoked."""
    secret = secrets.token_hex(20)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, digest=api_token_digest(secret), prefix=secret[:8]
        )
        stale = (
            ApiToken.objects.filter(user=user)
            .order_by(Coalesce("last_used", "created").desc(), "-pk")
            .values_list("pk", flat=True)[API_TOKENS_MAX:]
        )
        ApiToken.objects.filter(pk__in=list(stale)).delete()
    return token, secret


def api_tokens_of(*, user: User):
    """The user's tokens, newest first (no secrets: they are not stored)."""
    return ApiToken.objects.filter(user=user)


def api_token_revoke(*, user: User, token_id) -> None:
    """Revoke one of the user's own tokens; another user's id is a NotFoundError like a missing one."""
    try:
        deleted, _ = ApiToken.objects.filter(user=user, pk=int(token_id)).delete()
    except (TypeError, ValueError):
        deleted = 0
    if not deleted:
        raise NotFoundError()


def api_tokens_revoke_all(*, user: User) -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <secret>`, looked up by its digest; notes when it was last used
    (at most once a minute per token, so reads do not all write)."""

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(digest=api_token_digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        step = timezone.timedelta(seconds=API_TOKEN_LAST_USED_STEP_SECONDS)
        if token.last_used is None or now - token.last_used >= step:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token
