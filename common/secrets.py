"""Secrets kept at rest (access tokens): encrypted with Fernet, shown back only as a hint.

The key comes from FIELD_ENCRYPTION_KEY (a Fernet key: 32 url-safe base64 bytes, made by
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
In production, storing or reading a secret without it is an ImproperlyConfigured error that says
so. Elsewhere, without it, a key is derived from SECRET_KEY, so a development database keeps
working; changing SECRET_KEY then makes stored secrets unreadable (they must be entered again).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common.errors import ApplicationError

HINT_LENGTH = 4


class SecretUnreadable(ApplicationError):
    """A stored secret no longer decrypts (the key changed): it must be entered again."""


def _fernet() -> Fernet:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key and settings.FIELD_ENCRYPTION_KEY_REQUIRED:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set to store or read access tokens in production (a "
            'Fernet key: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())").'
        )
    if not key:
        digest = hashlib.sha256(f"stylematch-field-key:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    try:
        return Fernet(key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from exc


def secret_encrypt(*, plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def secret_decrypt(*, ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            "The stored secret cannot be read with the current encryption key; enter it again.",
            code="secret_unreadable",
        ) from exc


def secret_hint(*, plaintext: str) -> str:
    """'…4f2a': the last characters only, enough to tell two secrets apart."""
    return f"…{plaintext[-HINT_LENGTH:]}" if len(plaintext) > 2 * HINT_LENGTH else "…"


def secret_fingerprint(*, plaintext: str) -> str:
    """A one-way mark of a secret (to remember that *this* token was refused), never the secret."""
    return hashlib.sha256(f"stylematch-secret:{plaintext}".encode()).hexdigest()[:32]


def secret_redact(text: str, *secrets: str) -> str:
    """`text` with every given secret replaced (an API's error message may echo a token)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
