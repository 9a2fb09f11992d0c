"""instaloader's download folders, as a folder or a zip of one (any folder depth).

instaloader names a post's files by its time: `2024-05-01_12-00-00_UTC.json.xz` (the post's
metadata: shortcode, owner's username, like count, is_video, taken_at_timestamp, an album's
children), `…_UTC.txt` (the caption), `…_UTC.jpg` (a single image) or `…_UTC_1.jpg`,
`…_UTC_2.jpg`, … (an album's images, in order). `<username>_<id>.json.xz` is the profile (full
name, followers, biography). Only the archive's own files are read (no symlinks, no path leaving
it), and a metadata file is unpacked to at most METADATA_MAX_BYTES.
"""

import io
import json
import lzma
import os
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from influencers.constants import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, FOLLOWERS_MAX
from influencers.imports.images import ImageSource, _unsafe_member
from influencers.imports.readers import (
    HANDLE,
    HIDDEN_LIKES,
    InfluencerRow,
    Parsed,
    RowError,
    _posts_from_records,
)
from influencers.imports.tabular import ImportFileError, RowNumber
from influencers.imports.values import cell_text

METADATA_MAX_BYTES = 16 * 1024 * 1024  # a post's metadata is a few kB; this only stops xz bombs
POST_METADATA = re.compile(r"^(?P<stem>\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_UTC)\.json\.xz$")
ARCHIVE_SIGNATURE = "_utc.json.xz"  # what format detection looks for among the names
# What reading one file of the download can raise: that file's post is a bad row, never the whole
# import (a damaged or oversized .xz, bad JSON, a link, a zip member with a bad CRC, odd values).
_UNREADABLE = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    lzma.LZMAError,
    zipfile.BadZipFile,
    zlib.error,
    RecursionError,
)


class _Archive:
    """The files of a folder or a zip, read safely (links and escaping paths are never read)."""

    def __init__(self, location):
        self.zip = None
        self.files: dict[str, str] = {}  # base name -> its path in the archive
        self.unsafe: set[str] = set()
        if isinstance(location, Path) and location.is_dir():
            self.root = location
            for folder, _dirs, names in os.walk(location):  # never follows folder links
                for file in names:
                    path = Path(folder, file)
                    if path.is_symlink():
                        self.unsafe.add(file)
                    else:
                        self.files.setdefault(file, str(path.relative_to(location)))
            return
        try:
            self.zip = zipfile.ZipFile(
                io.BytesIO(location) if isinstance(location, bytes) else location
            )
            members = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ImportFileError(f"a damaged zip file ({exc}).", code="bad_images_source") from exc
        for info in members:
            if info.is_dir():
                continue
            base = PurePosixPath(info.filename.replace("\\", "/")).name
            if _unsafe_member(info):
                self.unsafe.add(base)
            else:
                self.files.setdefault(base, info.filename)

    def read(self, base: str, limit: int) -> bytes:
        """At most `limit` bytes of the file (the caller treats `limit` bytes read as too many)."""
        if base in self.unsafe:
            raise ValueError("a link or a path outside the archive")
        path = self.files[base]
        if self.zip is not None:
            with self.zip.open(path) as fp:
                return fp.read(limit)
        fd = os.open(self.root / path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fp:
            return fp.read(limit)

    def close(self):
        if self.zip is not None:
            self.zip.close()


def instaloader_posts_parse(location, name: str, *, account: str = "", **_options) -> Parsed:
    """Posts from an instaloader folder (a Path) or zip (bytes)."""
    archive = _Archive(location)
    try:
        parsed = _parse(archive, name, account)
    finally:
        archive.close()
    parsed.images = ImageSource(location, recursive=True)
    return parsed


def _structure(archive: _Archive, base: str) -> dict:
    """An instaloader .json.xz structure: {"node": {...}, "instaloader": {"node_type": ...}}."""
    packed = archive.read(base, METADATA_MAX_BYTES)
    unpacker = lzma.LZMADecompressor()
    text = unpacker.decompress(packed, max_length=METADATA_MAX_BYTES)
    if not unpacker.eof and len(text) >= METADATA_MAX_BYTES:
        raise ValueError(f"unpacks to more than {METADATA_MAX_BYTES // 2**20} MB")
    found = json.loads(text)
    if not isinstance(found, dict) or not isinstance(found.get("node"), dict):
        raise ValueError("not an instaloader structure")
    return found


def _parse(archive: _Archive, name: str, account: str) -> Parsed:
    posts = sorted(b for b in archive.files.keys() | archive.unsafe if POST_METADATA.match(b))
    if not posts:
        raise ImportFileError(
            f"{name} holds no instaloader post metadata (<date>_UTC.json.xz).",
            code="not_tabular",
        )
    profiles, owners = _profiles(archive)
    parsed = Parsed(encoding="instaloader")
    records = []
    for n, base in enumerate(posts, start=1):
        row = RowNumber(n, file=base)
        stem = POST_METADATA.match(base)["stem"]
        try:
            node = _structure(archive, base)["node"]
            owner = node.get("owner") if isinstance(node.get("owner"), dict) else {}
            handle = owner.get("username") or owners.get(str(owner.get("id", ""))) or ""
            if not handle and len(profiles) == 1:
                handle = next(iter(profiles.values())).handle
            records.append((row, _record(node, stem, archive, handle)))
        except _UNREADABLE as exc:
            parsed.errors.append(
                RowError(row, "metadata", "bad_metadata", {"detail": str(exc)[:200]})
            )
    _posts_from_records(records, parsed, unescape=False, prototype_styles=False, account=account)
    seen = {i.handle.lower() for i in profiles.values()}
    parsed.influencers = list(profiles.values()) + [
        i for i in parsed.influencers if i.handle.lower() not in seen
    ]
    return parsed


def _record(node: dict, stem: str, archive: _Archive, handle: str) -> dict:
    caption = _caption(node)
    if caption is None and f"{stem}.txt" in archive.files.keys() | archive.unsafe:
        caption = archive.read(f"{stem}.txt", METADATA_MAX_BYTES).decode("utf-8", "replace")
    likes = (node.get("edge_media_preview_like") or node.get("edge_liked_by") or {}).get("count")
    children = (node.get("edge_sidecar_to_children") or {}).get("edges") or []
    if children:
        names = [f"{stem}_{i}" for i in range(1, len(children) + 1)]
    else:
        names = [stem]
    images = set(archive.files) | archive.unsafe
    return {
        "user_name": handle,
        "post_id": node.get("shortcode", ""),
        "text": caption or "",
        "timestamp": node.get("taken_at_timestamp", ""),
        "like": HIDDEN_LIKES if likes is None else likes,
        "video": "true" if node.get("is_video") else "false",
        "image_names": tuple(
            n for n in names if any(f"{n}{s}" in images for s in (".jpg", ".jpeg", ".png", ".webp"))
        ),
    }


def _caption(node: dict) -> str | None:
    edges = (node.get("edge_media_to_caption") or {}).get("edges") or []
    if edges and isinstance(edges[0], dict):
        return cell_text((edges[0].get("node") or {}).get("text"))
    return node.get("caption") if isinstance(node.get("caption"), str) else None


def _profiles(archive: _Archive) -> tuple[dict[str, InfluencerRow], dict[str, str]]:
    """The profiles the archive holds (`<username>_<id>.json.xz`): rows by handle, handles by id."""
    found, owners = {}, {}
    for base in sorted(archive.files):
        if not base.endswith(".json.xz") or POST_METADATA.match(base):
            continue
        try:
            structure = _structure(archive, base)
        except _UNREADABLE:
            continue  # not a profile: the posts are what the archive is for
        if (structure.get("instaloader") or {}).get("node_type") != "Profile":
            continue
        node = structure["node"]
        handle = cell_text(node.get("username")).strip()
        if not handle:
            continue
        followers = (node.get("edge_followed_by") or {}).get("count")
        if not HANDLE.match(handle):
            continue
        valid = isinstance(followers, int) and 0 <= followers <= FOLLOWERS_MAX
        found[handle.lower()] = InfluencerRow(
            0,
            handle,
            followers=followers if valid else None,
            display_name=cell_text(node.get("full_name")).strip()[:DISPLAY_NAME_MAX_LENGTH],
            bio=cell_text(node.get("biography")).strip()[:BIO_MAX_LENGTH],
        )
        owners[str(node.get("id", ""))] = handle
    return found, owners
