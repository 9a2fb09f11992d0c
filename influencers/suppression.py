"""Reads of the suppression list: the handles whose holders asked to be removed.

The one home of the rule "a removed account never comes back": the import service (every reader,
the Graph API refresh) asks here before it writes an influencer or a post.
"""

from django.db.models.functions import Lower

from influencers.removal_models import SuppressedHandle


def handle_is_suppressed(*, handle: str) -> bool:
    return (
        SuppressedHandle.objects.annotate(key=Lower("handle")).filter(key=handle.lower()).exists()
    )


def suppressed_handles(*, handles) -> set[str]:
    """Of `handles`, the lower-cased ones on the suppression list (one query per 500)."""
    lowered = sorted({h.lower() for h in handles if h})
    found: set[str] = set()
    for start in range(0, len(lowered), 500):
        found.update(
            SuppressedHandle.objects.annotate(key=Lower("handle"))
            .filter(key__in=lowered[start : start + 500])
            .values_list("key", flat=True)
        )
    return found
