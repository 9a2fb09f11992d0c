"""What a username may be, and the key that makes two spellings of one name collide.

Usernames are NFKC-normalised (full-width and compatibility forms fold to plain letters), hold
letters, digits and `._-` only, and may not use letters of another script that look like Latin or
Hangul ones (Cyrillic `ѕ` for `s`, Greek `Α` for `A`), from the Unicode confusables data shipped by
confusable_homoglyphs. The key is the case-folded form, unique on every database (SQLite's lower()
only folds ASCII, so `björn` and `BJÖRN` need a column of their own).
"""

import re
import unicodedata

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from accounts.constants import USERNAME_EXTRA_CHARACTERS

# \w is Unicode-aware: letters and digits of every script, and "_".
_ALLOWED = re.compile(r"^[\w" + re.escape(USERNAME_EXTRA_CHARACTERS) + r"]+\Z")
# Scripts whose letters are the reference shapes; others may not imitate them.
_REFERENCE_SCRIPTS = ["latin", "hangul", "common"]


def username_normalize(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def username_key(value: str) -> str:
    """The spelling two usernames share when they differ only in case or width."""
    return unicodedata.normalize("NFKC", username_normalize(value).casefold())


@deconstructible
class UsernameValidator:
    """Letters, digits and ._- only; no look-alike letters from another script."""

    code = "invalid_username"

    def __call__(self, value: str) -> None:
        if value != unicodedata.normalize("NFKC", value) or not _ALLOWED.match(value):
            raise ValidationError(
                _("Use only letters, digits and the characters . _ - (no spaces)."),
                code=self.code,
            )
        if confusables.is_confusable(value, preferred_aliases=_REFERENCE_SCRIPTS):
            raise ValidationError(
                _(
                    "This username mixes in letters that look like others (for example "
                    "Cyrillic or Greek letters that look Latin); use plain letters."
                ),
                code="confusable_username",
            )

    def __eq__(self, other):
        return isinstance(other, UsernameValidator)


username_validate = UsernameValidator()
