"""Export (the right of access and portability): one ZIP of JSON and the user's photos.

Built in a temporary file, part by part and photo by photo (each copied in chunks from storage),
so memory stays bounded whatever the user holds; every app's part comes from the user-data
registry (common/user_data.py).
"""

import json
import logging
import shutil
import tempfile
import zipfile

from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.privacy.constants import policy_version
from common.user_data import user_data_parts

log = logging.getLogger(__name__)
PHOTOS_FOLDER = "photos/"
COPY_CHUNK = 1024 * 1024


def user_data_export(*, user):
    """A temporary file (at position 0) holding the ZIP; the caller streams and closes it."""
    out = tempfile.TemporaryFile()
    try:
        missing = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(user_data_parts(), key=lambda p: p.name):
                archive.writestr(f"{part.name}.json", _json(part.export(user=user)))
                for name in part.files(user=user):
                    if name and not _photo_copy(archive, name):
                        missing.append(name)
            archive.writestr(
                "export.json",
                _json(
                    {
                        "exported_at": timezone.now().isoformat(),
                        "username": user.username,
                        "policy_version": policy_version(),
                        "photos_folder": PHOTOS_FOLDER,
                        "photos_missing_from_storage": missing,
                    }
                ),
            )
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _photo_copy(archive: zipfile.ZipFile, name: str) -> bool:
    """Copy one stored file into the archive in chunks; False when storage cannot give it."""
    try:
        with default_storage.open(name, "rb") as source:
            with archive.open(PHOTOS_FOLDER + name, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, COPY_CHUNK)
        return True
    except OSError:
        log.warning("export: %s could not be read from storage", name, exc_info=True)
        return False
