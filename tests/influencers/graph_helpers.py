"""Helpers of the Graph API refresh tests (the `graph` fixture is in conftest.py)."""

GOOD_TOKEN = "good-token-4f2a"


def refresh(handles, *, sleeps=None, trigger="command"):
    """Track the handles and run one refresh over them in this process; returns the run."""
    from influencers.services.graph_refresh import (
        influencers_track,
        refresh_run_create,
        refresh_run_execute,
    )

    influencers, _created = influencers_track(handles=list(handles))
    run = refresh_run_create(
        influencer_ids=[i.pk for i in influencers], trigger=trigger, queue=False
    )
    sleeps = [] if sleeps is None else sleeps
    return refresh_run_execute(run_id=run.pk, sleep=sleeps.append)
