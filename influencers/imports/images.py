"""Post images from a folder or a zip, found by post id (`<post_id>.jpg|.jpeg|.png|.webp`).

A carousel post's further images are `<post_id>_2.jpg`, `<post_id>_3.jpg`, ... (the crawl's
naming), in the order of their numbers; a Graph API album's images are named by its children's ids.

Only the import's own files are ever read: a symlink in the folder, or a zip member that is a
symlink or whose path is absolute or climbs out with `..`, is never followed; the post it names
gets a row error instead. A member that cannot be read back (bad CRC, damaged, encrypted) is a
row error too, never the whole import's.
"""

import errno
import io
import os
import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.utils.translation import gettext_noop

from common.uploads import ImageRejected
from influencers.imports.tabular import ImportFileError

SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
# `<post_id>_<n>`: the post's n-th image (n from 2; the first is `<post_id>` itself).
_NUMBERED = re.compile(r"^(?P<post_id>.+)_(?P<n>[1-9][0-9]{0,5})$")


class ImageSource:
    """Look up an image's bytes by post id; None when the post has none."""

    def __init__(self, location: str | Path | bytes | None, *, recursive: bool = False):
        """`location`: a folder (its own files; with `recursive`, those of its subfolders too,
        never through a folder link), a zip file's path, or a zip file's bytes."""
        self._index: dict[str, str] = {}
        self._unsafe: set[str] = set()  # post ids whose image is a link or leaves the import
        # post id -> {n: stem} of its numbered images (`<post_id>_<n>`, n >= 2).
        self._numbered: dict[str, dict[int, str]] = {}
        self._zip: zipfile.ZipFile | None = None
        self._root: Path | None = None
        if location is None:
            return
        if isinstance(location, bytes):
            location = io.BytesIO(location)
        else:
            location = Path(location)
        if isinstance(location, Path) and location.is_dir():
            self._root = location
            for entry in _folder_entries(location, recursive):
                if Path(entry.name).suffix.lower() not in SUFFIXES:
                    continue
                stem = Path(entry.name).stem
                if entry.is_symlink():
                    self._unsafe.add(stem)
                elif entry.is_file(follow_symlinks=False):
                    self._index.setdefault(stem, os.path.relpath(entry.path, location))
        elif zipfile.is_zipfile(location):
            try:
                self._zip = zipfile.ZipFile(location)
                members = self._zip.infolist()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise ImportFileError(
                    f"{location.name} is a damaged zip file ({exc}).", code="bad_images_source"
                ) from exc
            for info in members:
                member = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir() or member.suffix.lower() not in SUFFIXES:
                    continue
                if _unsafe_member(info):
                    self._unsafe.add(member.stem)
                else:
                    self._index.setdefault(member.stem, info.filename)
        else:
            raise ImportFileError(
                f"{getattr(location, 'name', 'the images')} is neither a folder nor a zip file.",
                code="bad_images_source",
            )
        for stem in self._index.keys() | self._unsafe:
            found = _NUMBERED.match(stem)
            if found and int(found["n"]) >= 2:
                self._numbered.setdefault(found["post_id"], {})[int(found["n"])] = stem

    def post_image_names(
        self, post_id: str, *, child_ids=(), import_post_ids=frozenset()
    ) -> list[str]:
        """The names (stems) of a post's images in order, the cover first; [] when it has none.

        An album's images are its children's (by id) when any child has one; otherwise the
        post's own image and its numbered ones. `<post_id>_2` is not an image of `post_id` when
        `<post_id>_2` is itself one of the import's post ids (Instagram's short codes hold `_`).
        """
        children = [c for c in child_ids if self._has(c)]
        if children:
            return children
        numbered = self._numbered.get(post_id, {})
        names = [post_id] if self._has(post_id) else []
        return names + [numbered[n] for n in sorted(numbered) if numbered[n] not in import_post_ids]

    def album_images_missing(self, child_ids, *, video_child_ids=frozenset()) -> list[str]:
        """The album's children without an image when some child has one (videos may have
        none): such an album is a bad row, never stored with images missing."""
        if not any(self._has(c) for c in child_ids):
            return []  # no child has an image: the post's own naming is used
        return [c for c in child_ids if not self._has(c) and c not in video_child_ids]

    def _has(self, name: str) -> bool:
        return name in self._index or name in self._unsafe

    def lookup(self, post_id: str) -> tuple[str, bytes] | None:
        """(file name, bytes) of the image named `post_id` (one of post_image_names()), reading
        at most the upload limit plus one; None when there is none."""
        if post_id in self._unsafe:
            raise ImageRejected(
                gettext_noop("The image is a link or lies outside the import; it was not read."),
                code="unsafe_path",
            )
        name = self._index.get(post_id)
        if name is None:
            return None
        limit = settings.UPLOAD_MAX_BYTES + 1
        if self._zip is not None:
            return PurePosixPath(name).name, self._zip_read(name, limit)
        try:
            # O_NOFOLLOW: a file swapped for a link after the folder was listed is not followed.
            fd = os.open(self._root / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ImageRejected(
                    gettext_noop(
                        "The image is a link or lies outside the import; it was not read."
                    ),
                    code="unsafe_path",
                ) from exc
            raise ImageRejected(
                gettext_noop("The image file cannot be read."), code="unreadable"
            ) from exc
        with os.fdopen(fd, "rb") as fp:
            return Path(name).name, fp.read(limit)

    def _zip_read(self, name: str, limit: int) -> bytes:
        info = self._zip.getinfo(name)
        if info.file_size >= limit:  # never inflate an oversized (or bomb) member
            raise ImageRejected(
                gettext_noop("The file is larger than the upload limit."), code="file_too_large"
            )
        try:
            with self._zip.open(info) as fp:
                return fp.read(limit)
        except (
            zipfile.BadZipFile,  # a bad CRC, a damaged header
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,  # encrypted
            NotImplementedError,  # a compression method zipfile lacks
            ValueError,
        ) as exc:
            raise ImageRejected(
                gettext_noop("The image cannot be read from the zip file (%(reason)s)."),
                {"reason": str(exc)},
                code="damaged_archive_member",
            ) from exc

    def close(self):
        if self._zip is not None:
            self._zip.close()


def _folder_entries(folder: Path, recursive: bool):
    """The folder's entries; with `recursive`, its subfolders' too (folder links not entered)."""
    for entry in os.scandir(folder):
        if recursive and entry.is_dir(follow_symlinks=False):
            yield from _folder_entries(Path(entry.path), recursive)
        else:
            yield entry


def _unsafe_member(info: zipfile.ZipInfo) -> bool:
    """A symlink, or a path that is absolute or climbs with `..` (in either slash style)."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return True
    for path in (PurePosixPath(info.filename), PureWindowsPath(info.filename)):
        if path.is_absolute() or path.anchor or ".." in path.parts:
            return True
    return False
