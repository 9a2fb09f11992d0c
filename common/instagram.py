"""Addresses on Instagram: an account's profile from its handle, a post's from its permalink or
its short code. The one home of these rules (cards, pages, the API and the CSV export use them)."""

import re
from urllib.parse import urlsplit

INSTAGRAM_HOSTS = frozenset({"instagram.com", "www.instagram.com"})
# A post's public address: /p/<shortcode>/ (or /reel/, /tv/), optionally under the account's name.
_POST_PATH = re.compile(r"^/(?:[A-Za-z0-9._]{1,30}/)?(p|reel|tv)/([A-Za-z0-9_-]{1,64})/?$")
# Instagram's post short codes are URL-safe base64; numeric media ids (Graph API) are not.
_SHORTCODE = re.compile(r"[A-Za-z0-9_-]{8,40}")
_HANDLE = re.compile(r"[A-Za-z0-9._]{1,30}")


def instagram_profile_url(handle: str, *, is_demo: bool = False) -> str:
    """https://www.instagram.com/<handle>/, or '' for a made-up demo account or a bad handle."""
    if is_demo or not handle or not _HANDLE.fullmatch(handle):
        return ""
    return f"https://www.instagram.com/{handle}/"


def instagram_permalink_clean(value: str) -> str:
    """A post's permalink as https://www.instagram.com/<kind>/<code>/; ValueError when the value
    is not the address of an Instagram post (another host, a profile, a script: URL)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    found = _POST_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or parts.hostname not in INSTAGRAM_HOSTS or not found:
        raise ValueError(value)
    return f"https://www.instagram.com/{found.group(1)}/{found.group(2)}/"


def instagram_post_url(*, permalink: str, post_id: str, is_demo: bool = False) -> str:
    """The post's address: its stored permalink, else /p/<post id>/ when the id is a short code;
    '' when none is known (a numeric Graph API id without a permalink, a demo post)."""
    if is_demo:
        return ""
    if permalink:
        return permalink
    if _SHORTCODE.fullmatch(post_id or "") and not post_id.isdigit():
        return f"https://www.instagram.com/p/{post_id}/"
    return ""
