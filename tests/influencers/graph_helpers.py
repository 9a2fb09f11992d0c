"""Helpers of the Graph API refresh tests (the `graph` fixture is in conftest.py)."""

GOOD_TOKEN = "good-token-4f2a"


def token_mark_checked():
    """Record the token in use as checked with debug_token a moment ago, so a run makes no check
    call of its own and the fake's queued faults meet the accounts' calls."""
    from django.utils import timezone

    from common.secrets import SecretUnreadable, secret_fingerprint
    from influencers.models import GraphCredential
    from influencers.services.graph_token import CREDENTIAL_PK, graph_token_current

    try:
        token = graph_token_current()
    except SecretUnreadable:
        return  # the run stops before any call
    GraphCredential.objects.update_or_create(
        pk=CREDENTIAL_PK,
        defaults={
            "checked_at": timezone.now(),
            "checked_fingerprint": secret_fingerprint(plaintext=token),
        },
    )


def refresh(handles, *, sleeps=None, trigger="command", token_checked=True):
    """Track the handles and run one refresh over them in this process; returns the run.

    `token_checked`: the token counts as checked today (see token_mark_checked); False leaves the
    run to check it with debug_token first, as a run does once a day."""
    from influencers.services.graph_refresh import (
        influencers_track,
        refresh_run_create,
        refresh_run_execute,
    )

    influencers, _created = influencers_track(handles=list(handles))
    run = refresh_run_create(
        influencer_ids=[i.pk for i in influencers], trigger=trigger, queue=False
    )
    if token_checked:
        token_mark_checked()
    sleeps = [] if sleeps is None else sleeps
    return refresh_run_execute(run_id=run.pk, sleep=sleeps.append)
