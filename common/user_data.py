"""Registry of what each app holds of a user, for export and withdrawal (data rights).

Apps sit in layers (accounts below campaigns), so the account's withdrawal and export cannot import
the apps above it. Each app registers its part at start-up (AppConfig.ready): how to export its
rows as JSON, which stored files are the user's, and how to delete its rows. The account services
call every registered part, whatever app it lives in.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class UserDataPart:
    name: str
    # (*, user) -> JSON-ready data (a list or dict), written to <name>.json in the export
    export: Callable[..., object]
    # (*, user) -> stored file names (media storage) that are the user's own, for the export
    files: Callable[..., Iterable[str]]
    # (*, user) -> int: inside the withdrawal's transaction, delete the part's rows and have its
    # files (and their thumbnails, derivatives) deleted once it commits; returns how many files
    delete: Callable[..., int]


_PARTS: dict[str, UserDataPart] = {}


def user_data_register(*, name: str, export, files, delete) -> None:
    _PARTS[name] = UserDataPart(name=name, export=export, files=files, delete=delete)


def user_data_parts() -> list[UserDataPart]:
    """The registered parts; the topmost app's first, so a part is deleted before the rows below
    it that it points to."""
    return list(reversed(_PARTS.values()))
