"""Column mappings staff choose in the import preview, kept for the next file from the same source.

A mapping (ImportMapping) names, for some fields, the column of the file that holds it; it is
offered again, and applied by the import, for a file whose headers are the same (normalized and
sorted: fields.headers_key).
"""

from django.utils.translation import gettext as _

from common.errors import ApplicationError
from influencers.imports.fields import FIELD_ALIASES, headers_key
from influencers.models import ImportMapping


def import_mapping_save(*, name: str, columns, fields: dict[str, str]) -> ImportMapping:
    """Create or replace the mapping `name` for files with these columns."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Name the column mapping."), code="mapping_name_missing")
    chosen = {f: c for f, c in fields.items() if c}
    unknown = sorted(set(chosen) - set(FIELD_ALIASES))
    absent = sorted(c for c in chosen.values() if c not in set(columns))
    if unknown or absent:
        raise ApplicationError(
            _("Unknown fields or columns in the mapping: %(names)s.")
            % {"names": ", ".join(unknown + absent)},
            code="mapping_invalid",
        )
    mapping, _created = ImportMapping.objects.update_or_create(
        name=name[:100], defaults={"headers": headers_key(columns), "fields": chosen}
    )
    return mapping


def import_mapping_for_headers(headers: list[str]) -> dict | None:
    """The fields of the most recently saved mapping for files with these (normalized) headers."""
    found = ImportMapping.objects.filter(headers=headers).order_by("-updated_at").first()
    return found.fields if found else None


def import_mapping_get(*, name: str) -> dict:
    """The fields of the mapping saved under `name`; NotFoundError when there is none."""
    found = ImportMapping.objects.filter(name=name.strip()).first()
    if found is None:
        raise ApplicationError(
            _("No column mapping is saved under this name."), code="mapping_unknown"
        )
    return found.fields
