"""Words for the codes an activity row keeps (a role, a stage), in the reader's language.

Activity rows store codes, so each reader sees them in their own language. Stages belong to
campaigns, an app above this one: it registers its labeller at start-up (CampaignsConfig.ready),
so this module never imports it."""

from collections.abc import Callable

from accounts.teams.choices import TeamRole

_LABELLERS: dict[str, Callable[[str], str]] = {"role": lambda code: str(TeamRole(code).label)}


def activity_labeller_register(*, kind: str, labeller: Callable[[str], str]) -> None:
    _LABELLERS[kind] = labeller


def activity_change_text(change: dict) -> str:
    """ "Candidate → Contacted" for {"kind": "stage", "from": ..., "to": ...}; "" when unknown."""
    labeller = _LABELLERS.get(change.get("kind", ""))
    if labeller is None:
        return ""
    try:
        words = [labeller(change[key]) for key in ("from", "to") if change.get(key)]
    except ValueError:  # a code no longer known: show it as stored
        words = [str(change[key]) for key in ("from", "to") if change.get(key)]
    return " → ".join(words)
