"""manage.py refresh_influencers: a refresh in the foreground with a summary."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from influencers.models import Influencer, RefreshRun
from tests.fake_graph_api import TOKEN_EXPIRED, Fault, rate_limit_error

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("refresh_influencers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_tracks_new_handles_and_prints_a_summary(graph):
    graph.add_account("cli_look", posts=3)
    Influencer.objects.create(handle="Known_One", gender="F", body_size="S")
    graph.add_account("known_one", posts=1)
    out, err = _run("@cli_look", "known_one")
    assert "@cli_look: new, tracked (gender and body size to curate)" in out
    assert "Known_One: new" not in out
    assert "2 refreshed, 0 failed, 0 not reached, of 2; posts: 4 new" in out
    assert set(Influencer.objects.filter(tracked=True).values_list("handle", flat=True)) == {
        "cli_look",
        "Known_One",
    }
    assert Influencer.objects.get(handle="Known_One").gender == "F"  # curation kept


def test_all_refreshes_every_tracked_influencer_whose_refresh_is_on(graph):
    for handle in ("t_one", "t_two"):
        graph.add_account(handle, posts=1)
        Influencer.objects.create(handle=handle, tracked=True)
    Influencer.objects.create(handle="t_stopped", tracked=True, refresh_stopped=True)
    Influencer.objects.create(handle="t_not_tracked")
    out, _ = _run("--all")
    assert "2 refreshed" in out and "of 2" in out


def test_it_names_each_failed_account_with_its_reason(graph):
    graph.add_account("works", posts=1)
    out, err = _run("not_there", "works")
    assert "1 refreshed, 1 failed" in out
    assert "@not_there: Business discovery cannot read this account" in err


def test_it_refuses_a_handle_that_is_not_one(graph):
    with pytest.raises(CommandError, match="Not an Instagram handle"):
        _run("bad/handle")
    assert not Influencer.objects.exists()


def test_a_dead_token_ends_the_command_with_one_clear_error(graph):
    graph.add_account("any", posts=1)
    graph.faults.append(Fault(status=400, body=TOKEN_EXPIRED))
    with pytest.raises(CommandError, match="The Instagram token was refused"):
        _run("any")


def test_at_the_rate_limit_it_stops_and_says_when_the_run_resumes(graph):
    graph.add_account("busy", posts=1)
    graph.faults.append(Fault(status=403, body=rate_limit_error(4)))
    out, err = _run("busy")
    assert "paused at the rate limit until" in err
    assert RefreshRun.objects.get().status == RefreshRun.Status.PAUSED
