"""Post images from a folder or a zip, found by post id (`<post_id>.jpg|.jpeg|.png|.webp`)."""

import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from common.uploads import ImageRejected
from influencers.imports.readers import ImportFileError

SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


class ImageSource:
    """Look up an image's bytes by post id; None when the post has none."""

    def __init__(self, location: str | Path | None):
        self._index: dict[str, str] = {}
        self._zip: zipfile.ZipFile | None = None
        self._root: Path | None = None
        if location is None:
            return
        location = Path(location)
        if location.is_dir():
            self._root = location
            for path in location.iterdir():
                if path.suffix.lower() in SUFFIXES and path.is_file():
                    self._index.setdefault(path.stem, path.name)
        elif zipfile.is_zipfile(location):
            self._zip = zipfile.ZipFile(location)
            for info in self._zip.infolist():
                member = PurePosixPath(info.filename)
                if not info.is_dir() and member.suffix.lower() in SUFFIXES:
                    self._index.setdefault(member.stem, info.filename)
        else:
            raise ImportFileError(
                f"{location} is neither a folder nor a zip file.", code="bad_images_source"
            )

    def lookup(self, post_id: str) -> tuple[str, bytes] | None:
        """(file name, bytes) of the post's image, reading at most the upload limit plus one."""
        name = self._index.get(post_id)
        if name is None:
            return None
        limit = settings.UPLOAD_MAX_BYTES + 1
        if self._zip is not None:
            info = self._zip.getinfo(name)
            if info.file_size >= limit:  # never inflate an oversized (or bomb) member
                raise ImageRejected(
                    _("The file is larger than the upload limit."), code="file_too_large"
                )
            with self._zip.open(info) as fp:
                return PurePosixPath(name).name, fp.read(limit)
        with open(self._root / name, "rb") as fp:
            return name, fp.read(limit)

    def close(self):
        if self._zip is not None:
            self._zip.close()
