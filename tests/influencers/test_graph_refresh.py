"""Live refresh through business discovery, against a fake Graph API on the loopback."""

import datetime as dt
import email.utils
import logging

import pytest
from django.utils import timezone

from influencers.models import FollowerSnapshot, GraphCredential, Influencer, Post, RefreshRun
from influencers.services.graph_refresh import (
    graph_refresh_schedule,
    refresh_run_create,
    refresh_run_execute,
)
from influencers.services.graph_token import graph_token_check_due, graph_token_status
from tests.fake_graph_api import (
    NOT_FOUND,
    NOT_PROFESSIONAL,
    TOKEN_EXPIRED,
    Fault,
    media_item,
    rate_limit_error,
)
from tests.influencers.graph_helpers import GOOD_TOKEN, refresh

pytestmark = pytest.mark.django_db
Status = RefreshRun.Status


def test_a_new_handle_becomes_a_tracked_influencer_with_its_profile_posts_and_a_snapshot(graph):
    graph.add_account("new_look", posts=5, followers=12345, name="뉴 룩", biography="봄 코디")
    run = refresh(["new_look"])
    assert (run.status, run.done, run.refreshed, run.failed) == (Status.DONE, 1, 1, 0)
    influencer = Influencer.objects.get(handle="new_look")
    assert influencer.tracked and influencer.refreshed_at is not None
    assert (influencer.followers, influencer.display_name, influencer.bio) == (
        12345,
        "뉴 룩",
        "봄 코디",
    )
    assert (influencer.follows_count, influencer.media_count) == (120, 5)
    # gender and body size unknown: staff curate it before any filtered ranking shows it
    assert Influencer.objects.needing_curation().filter(pk=influencer.pk).exists()
    assert influencer.posts.count() == 5 == run.posts_created
    # three pages of two, following paging.cursors.after in the nested field syntax
    assert [c["after"] for c in graph.discovery_calls()] == [None, "c2", "c4"]
    snapshot = FollowerSnapshot.objects.get(influencer=influencer)
    assert (snapshot.followers, snapshot.media_count) == (12345, 5)
    assert snapshot.average_likes == pytest.approx(100.0)


def test_a_second_refresh_reads_only_down_to_the_first_stored_post(graph):
    account = graph.add_account("steady", posts=6, followers=1000)
    refresh(["steady"])
    account["media"].insert(0, media_item(7, handle="steady", likes=250))
    account["profile"]["followers_count"] = 1100
    graph.requests.clear()
    run = refresh(["steady"])
    assert len(graph.discovery_calls()) == 1  # the first page already holds stored posts
    assert run.posts_created == 1
    influencer = Influencer.objects.get(handle="steady")
    assert influencer.posts.count() == 7 and influencer.followers == 1100
    assert list(influencer.snapshots.values_list("followers", flat=True)) == [1000, 1100]


def test_paging_stops_at_the_set_depth(graph, settings):
    settings.GRAPH_REFRESH_MAX_PAGES = 2
    graph.add_account("deep", posts=10)
    refresh(["deep"])
    assert len(graph.discovery_calls()) == 2
    assert Post.objects.filter(influencer__handle="deep").count() == 4


def test_a_post_whose_likes_are_hidden_is_stored_with_imputed_likes(graph):
    account = graph.add_account("hidden", posts=2)
    account["media"].append(media_item(9, handle="hidden", likes=None))
    refresh(["hidden"])
    post = Post.objects.get(instagram_id=account["media"][-1]["id"])
    assert post.likes is None and post.likes_imputed and post.effective_likes == 100


def test_the_token_travels_in_the_authorization_header_and_never_in_a_url(graph):
    graph.add_account("quiet", posts=1)
    refresh(["quiet"])
    call = graph.discovery_calls()[0]
    assert call["authorization"] == f"Bearer {GOOD_TOKEN}"
    assert GOOD_TOKEN not in call["fields"] and "access_token" not in call["query"]


def test_calls_are_spaced_out_when_usage_nears_the_limit(graph, settings):
    settings.GRAPH_USAGE_SLOW_PERCENT = 75
    settings.GRAPH_SLOW_DELAY_SECONDS = 20
    graph.usage_headers = {
        "X-App-Usage": '{"call_count": 90, "total_cputime": 10, "total_time": 5}'
    }
    for handle in ("near_a", "near_b"):
        graph.add_account(handle, posts=1)
    sleeps = []
    run = refresh(["near_a", "near_b"], sleeps=sleeps)
    assert run.status == Status.DONE
    # after the first answer said 90 %: (90 - 75) / (100 - 75) of the longest delay per call
    assert sleeps == [pytest.approx(12.0)]


def test_at_the_limit_no_further_call_is_made_until_the_window_has_passed(graph):
    usage = (
        '{"17841400000000001": [{"type": "instagram", "call_count": 100, "total_cputime": 20,'
        ' "total_time": 20, "estimated_time_to_regain_access": 7}]}'
    )
    graph.faults.append(Fault(headers={"X-Business-Use-Case-Usage": usage}))
    for handle in ("first", "second"):
        graph.add_account(handle, posts=1)
    run = refresh(["first", "second"])
    assert run.status == Status.PAUSED and run.done == 1  # the answer at 100 % is kept
    assert len(graph.requests) == 1
    minutes = (run.resume_at - timezone.now()).total_seconds() / 60
    assert 6.5 < minutes <= 7
    assert GraphCredential.objects.get().rate_limited_until == run.resume_at
    # neither the run itself nor the schedule asks anything before then
    assert refresh_run_execute(run_id=run.pk).status == Status.PAUSED
    assert graph_refresh_schedule() == run
    assert len(graph.requests) == 1
    # once the window has passed, the run resumes where it stopped
    RefreshRun.objects.filter(pk=run.pk).update(resume_at=timezone.now())
    GraphCredential.objects.update(rate_limited_until=timezone.now())
    run = refresh_run_execute(run_id=run.pk, sleep=lambda s: None)
    assert (run.status, run.done, run.refreshed) == (Status.DONE, 2, 2)
    assert [c["username"] for c in graph.discovery_calls()] == ["first", "second"]
    assert run.calls == 2  # counted across the pause


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002])
def test_a_rate_limit_error_pauses_the_run_without_failing_the_account(graph, settings, code):
    settings.GRAPH_RATE_LIMIT_WAIT_SECONDS = 1800
    graph.add_account("limited", posts=1)
    graph.faults.append(Fault(status=403 if code != 613 else 400, body=rate_limit_error(code)))
    run = refresh(["limited"])
    assert run.status == Status.PAUSED and run.error_code == "rate_limited"
    assert f"code {code}" in run.error_detail
    assert 29 < (run.resume_at - timezone.now()).total_seconds() / 60 <= 30
    influencer = Influencer.objects.get(handle="limited")
    assert influencer.refresh_error_code == "" and not influencer.refresh_stopped
    assert len(graph.requests) == 1  # no retry into the limit


# HTTP 429 as it comes: Meta's JSON error with its usage headers, or an edge's bare "Too Many
# Requests" with only Retry-After (seconds or an HTTP date), or nothing to say how long.
REGAIN_IN_5_MINUTES = {
    "X-Business-Use-Case-Usage": (
        '{"17841400000000001": [{"type": "instagram", "call_count": 100, "total_cputime": 30,'
        ' "total_time": 30, "estimated_time_to_regain_access": 5}]}'
    )
}


@pytest.mark.parametrize(
    "fault,minutes",
    [
        (Fault(status=429, body=rate_limit_error(4)), 30),  # no header: the fallback wait
        (Fault(status=429, body=rate_limit_error(4), headers=REGAIN_IN_5_MINUTES), 5),
        (Fault(status=429, body=b"Too Many Requests", headers={"Retry-After": "120"}), 2),
        (Fault(status=429, body=b"<html>429</html>", headers={"Retry-After": "soon"}), 30),
        # Retry-After as an HTTP date 10 minutes ahead (set below) beside a 5-minute estimate:
        # the longer wait is kept
        (Fault(status=429, body=b"", headers=dict(REGAIN_IN_5_MINUTES)), 10),
    ],
    ids=["meta-error", "meta-error-usage", "retry-after-seconds", "retry-after-unreadable", "date"],
)
def test_http_429_pauses_the_run_for_as_long_as_the_answer_asks_then_it_goes_on(
    graph, settings, fault, minutes
):
    settings.GRAPH_RATE_LIMIT_WAIT_SECONDS = 1800
    for handle in ("busy_a", "busy_b"):
        graph.add_account(handle, posts=1)
    if minutes == 10:
        ahead = timezone.now() + dt.timedelta(minutes=10)
        fault.headers["Retry-After"] = email.utils.format_datetime(ahead, usegmt=True)
    graph.faults.append(fault)
    run = refresh(["busy_a", "busy_b"])
    assert (run.status, run.done, run.error_code) == (Status.PAUSED, 0, "rate_limited")
    assert len(graph.requests) == 1  # no retry into the limit, no call for the next account
    waited = (run.resume_at - timezone.now()).total_seconds() / 60
    assert minutes - 0.5 < waited <= minutes
    assert GraphCredential.objects.get().rate_limited_until == run.resume_at
    influencer = Influencer.objects.get(handle="busy_a")
    assert influencer.refresh_error_code == "" and not influencer.refresh_stopped
    # once the window has passed, the run goes on from the account it stopped at
    RefreshRun.objects.filter(pk=run.pk).update(resume_at=timezone.now())
    GraphCredential.objects.update(rate_limited_until=timezone.now())
    run = refresh_run_execute(run_id=run.pk, sleep=lambda s: None)
    assert (run.status, run.done, run.refreshed) == (Status.DONE, 2, 2)
    assert [c["username"] for c in graph.discovery_calls()] == ["busy_a", "busy_a", "busy_b"]


def test_an_expired_token_stops_the_run_and_tells_staff_once_without_the_token(graph, caplog):
    for handle in ("ok_one", "expires_here", "never_asked"):
        graph.add_account(handle, posts=1)
    graph.faults.extend([Fault(), Fault(status=400, body=TOKEN_EXPIRED)])
    with caplog.at_level(logging.INFO):
        run = refresh(["ok_one", "expires_here", "never_asked"])
    assert (run.status, run.error_code, run.done, run.refreshed) == (
        Status.FAILED,
        "token_invalid",
        1,
        1,
    )
    assert [c["username"] for c in graph.discovery_calls()] == ["ok_one", "expires_here"]
    credential = GraphCredential.objects.get()
    assert credential.refused_at is not None and "Session has expired" in credential.refused_reason
    refused_logs = [r for r in caplog.records if "was refused" in r.getMessage()]
    assert len(refused_logs) == 1
    assert all(GOOD_TOKEN not in r.getMessage() for r in caplog.records)
    assert "…4f2a" in refused_logs[0].getMessage()
    # the next run stops before any call, and says nothing more in the log
    caplog.clear()
    again = refresh(["never_asked"])
    assert again.status == Status.FAILED and again.error_code == "token_invalid"
    assert len(graph.discovery_calls()) == 2
    assert not [r for r in caplog.records if "was refused" in r.getMessage()]
    assert graph_refresh_schedule() is None


@pytest.mark.parametrize(
    ("body", "code"), [(NOT_FOUND, "not_found"), (NOT_PROFESSIONAL, "not_professional")]
)
def test_an_unknown_or_personal_account_is_marked_and_no_longer_refreshed(graph, body, code):
    graph.add_account("fine", posts=1)
    graph.account_errors["gone"] = body
    run = refresh(["gone", "fine"])
    assert (run.status, run.refreshed, run.failed) == (Status.DONE, 1, 1)
    gone = Influencer.objects.get(handle="gone")
    assert gone.refresh_stopped and gone.refresh_error_code == code
    assert run.errors == [{"handle": "gone", "code": code, "detail": gone.refresh_error_detail}]
    Influencer.objects.update(refreshed_at=None)
    scheduled = graph_refresh_schedule()
    assert scheduled.influencer_ids == [Influencer.objects.get(handle="fine").pk]


def test_a_server_error_is_retried_with_back_off(graph):
    graph.add_account("flaky", posts=1)
    graph.faults.extend([Fault(status=500, body=b"<html>oops</html>"), Fault(status=503)])
    sleeps = []
    run = refresh(["flaky"], sleeps=sleeps)
    assert run.refreshed == 1 and len(graph.requests) == 3
    assert sleeps == [pytest.approx(0.01), pytest.approx(0.02)]


def test_an_account_whose_calls_keep_failing_fails_alone_and_the_run_goes_on(graph):
    graph.add_account("broken", posts=1)
    graph.add_account("after_it", posts=1)
    graph.faults.extend([Fault(status=502)] * 3)
    run = refresh(["broken", "after_it"])
    assert (run.status, run.refreshed, run.failed) == (Status.DONE, 1, 1)
    broken = Influencer.objects.get(handle="broken")
    assert broken.refresh_error_code == "server_error" and not broken.refresh_stopped
    assert broken.posts.count() == 0


def test_a_call_that_times_out_is_retried_then_reported(graph, settings):
    settings.GRAPH_READ_TIMEOUT = 0.3
    graph.add_account("slow", posts=1)
    graph.faults.extend([Fault(delay=1.0)] * 3)
    run = refresh(["slow"])
    assert run.failed == 1
    assert Influencer.objects.get(handle="slow").refresh_error_code == "timeout"


def test_a_truncated_answer_is_retried(graph):
    graph.add_account("cut", posts=1)
    graph.faults.append(Fault(truncate=True))
    run = refresh(["cut"])
    assert run.refreshed == 1 and len(graph.requests) == 2


def test_an_answer_with_a_bad_follower_count_stores_nothing_for_that_account(graph):
    account = graph.add_account("odd", posts=2)
    account["profile"]["followers_count"] = "many"
    run = refresh(["odd"])
    odd = Influencer.objects.get(handle="odd")
    assert run.failed == 1 and odd.refresh_error_code == "bad_response"
    assert odd.followers is None and not odd.snapshots.exists()


def test_an_account_failing_on_its_second_page_keeps_none_of_its_pages(graph):
    graph.add_account("half", posts=4)
    graph.faults.extend([Fault()] + [Fault(status=500)] * 3)
    run = refresh(["half"])
    assert run.failed == 1 and not Post.objects.filter(influencer__handle="half").exists()


def test_the_schedule_queues_tracked_influencers_by_staleness(graph, settings):
    settings.GRAPH_REFRESH_INTERVAL_HOURS = 24
    now = timezone.now()
    fresh = Influencer.objects.create(handle="fresh", tracked=True, refreshed_at=now)
    old = Influencer.objects.create(
        handle="old", tracked=True, refreshed_at=now - dt.timedelta(days=3)
    )
    older = Influencer.objects.create(
        handle="older", tracked=True, refreshed_at=now - dt.timedelta(days=9)
    )
    never = Influencer.objects.create(handle="never", tracked=True)
    Influencer.objects.create(handle="untracked")
    run = graph_refresh_schedule()
    assert run.influencer_ids == [never.pk, older.pk, old.pk]
    assert fresh.pk not in run.influencer_ids
    assert graph_refresh_schedule() is None  # one run at a time


def test_the_schedule_starts_nothing_without_a_token(graph, settings):
    settings.INSTAGRAM_GRAPH_TOKEN = ""
    Influencer.objects.create(handle="waiting", tracked=True)
    assert graph_refresh_schedule() is None


def test_a_run_whose_worker_died_is_queued_again_and_resumes_where_it_stopped(graph):
    for handle in ("done_before", "left_over"):
        graph.add_account(handle, posts=1)
    ids = [
        Influencer.objects.create(handle=h, tracked=True).pk for h in ("done_before", "left_over")
    ]
    run = refresh_run_create(influencer_ids=ids, trigger="schedule", queue=False)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    RefreshRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, done=1, heartbeat_at=long_ago
    )
    assert graph_refresh_schedule() == run  # re-queued (the eager task runs it at once)
    run.refresh_from_db()
    assert (run.status, run.done) == (Status.DONE, 2)
    assert [c["username"] for c in graph.discovery_calls()] == ["left_over"]


def test_a_live_page_and_the_same_page_saved_as_a_file_become_the_same_rows(graph, tmp_path):
    import json

    from influencers.services.imports import posts_import

    account = graph.add_account("twin_live", posts=2)
    account["media"].append(media_item(5, handle="twin_live", likes=None, kind="VIDEO"))
    refresh(["twin_live"])
    live = list(
        Post.objects.filter(influencer__handle="twin_live").values(
            "instagram_id", "caption", "likes", "is_video", "posted_at", "effective_likes"
        )
    )
    saved = json.loads(json.dumps(graph._page(account, "media.limit(25){}")))
    Post.objects.all().delete()
    report = posts_import(
        posts_data=json.dumps(saved).encode(), posts_name="p.json", format="graph"
    )
    assert report.posts_created == 3
    from_file = list(
        Post.objects.filter(influencer__handle="twin_live").values(
            "instagram_id", "caption", "likes", "is_video", "posted_at", "effective_likes"
        )
    )
    assert sorted(live, key=str) == sorted(from_file, key=str)


def test_the_graph_reader_keeps_the_media_urls_of_images_on_each_row():
    import json

    from influencers.imports.readers import graph_media_parse

    page = {
        "username": "urls",
        "data": [
            {"id": "1", "media_type": "IMAGE", "media_url": "https://cdn.example/1.jpg"},
            {"id": "2", "media_type": "VIDEO", "media_url": "https://cdn.example/2.mp4"},
            {
                "id": "3",
                "media_type": "CAROUSEL_ALBUM",
                "media_url": "https://cdn.example/3.jpg",
                "children": {
                    "data": [
                        {
                            "id": "31",
                            "media_type": "IMAGE",
                            "media_url": "https://cdn.example/31.jpg",
                        },
                        {
                            "id": "32",
                            "media_type": "VIDEO",
                            "media_url": "https://cdn.example/32.mp4",
                        },
                        {
                            "id": "33",
                            "media_type": "IMAGE",
                            "media_url": "http://cdn.example/33.jpg",
                        },
                        {
                            "id": "34",
                            "media_type": "IMAGE",
                            "media_url": "https://cdn.example/34.jpg",
                        },
                    ]
                },
            },
        ],
    }
    for item in page["data"]:
        item.update(timestamp="2026-05-01T12:00:00+0000", caption="", like_count=1)
    rows = {r.post_id: r for r in graph_media_parse(json.dumps(page).encode(), "p.json").rows}
    assert rows["1"].image_urls == ("https://cdn.example/1.jpg",)
    assert rows["2"].image_urls == ()  # a video's media_url is no image
    # an album's IMAGE children in order; a plain-http URL is never kept
    assert rows["3"].image_urls == ("https://cdn.example/31.jpg", "https://cdn.example/34.jpg")


def test_refreshes_run_on_the_bulk_queue_and_beat_schedules_them(settings):
    from common.jobs import route_by_job_kind
    from influencers.tasks import graph_refresh_schedule_task, refresh_run_task

    assert route_by_job_kind(refresh_run_task.name, (), {}, {}, task=refresh_run_task) == {
        "queue": "bulk"
    }
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert graph_refresh_schedule_task.name in scheduled


def test_a_redelivered_task_takes_back_the_run_its_lost_worker_left_running(graph):
    graph.add_account("taken_back", posts=1)
    pk = Influencer.objects.create(handle="taken_back", tracked=True).pk
    run = refresh_run_create(influencer_ids=[pk], trigger="schedule", queue=False)
    RefreshRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now())
    # an ordinary second delivery leaves it to whoever runs it...
    assert refresh_run_execute(run_id=run.pk).status == Status.RUNNING
    assert graph.requests == []
    # ...a redelivery after the worker was lost takes it back
    run = refresh_run_execute(run_id=run.pk, take_back=True, sleep=lambda s: None)
    assert (run.status, run.refreshed) == (Status.DONE, 1)


def test_a_long_run_hands_itself_on_to_a_fresh_task(graph):
    for handle in ("slice_a", "slice_b"):
        graph.add_account(handle, posts=1)
    ids = [Influencer.objects.create(handle=h, tracked=True).pk for h in ("slice_a", "slice_b")]
    run = refresh_run_create(influencer_ids=ids, trigger="schedule", queue=False)
    # slice 0: after each account the run is handed on (the eager task continues it at once)
    run = refresh_run_execute(run_id=run.pk, slice_seconds=0, sleep=lambda s: None)
    run.refresh_from_db()
    assert (run.status, run.done, run.refreshed) == (Status.DONE, 2, 2)
    assert [c["username"] for c in graph.discovery_calls()] == ["slice_a", "slice_b"]


def test_a_run_checks_a_token_never_checked_before_its_first_account_and_shows_its_expiry(graph):
    graph.add_account("first_of_day", posts=1)
    graph.debug_expires_at = int((timezone.now() + dt.timedelta(days=40)).timestamp())
    run = refresh(["first_of_day"], token_checked=False)
    assert (run.status, run.refreshed, run.calls) == (Status.DONE, 1, 2)
    assert graph.requests[0]["path"].endswith("/debug_token")
    assert graph.requests[1]["username"] == "first_of_day"
    status = graph_token_status()
    assert status["source"] == "environment"
    assert status["expires_at"] == dt.datetime.fromtimestamp(graph.debug_expires_at, tz=dt.UTC)


def test_a_run_checks_the_token_again_only_once_its_check_is_a_day_old(graph):
    graph.add_account("daily", posts=1)
    refresh(["daily"], token_checked=False)
    refresh(["daily"], token_checked=False)
    debug_calls = [r for r in graph.requests if r["path"].endswith("/debug_token")]
    assert len(debug_calls) == 1
    GraphCredential.objects.update(checked_at=timezone.now() - dt.timedelta(hours=25))
    refresh(["daily"], token_checked=False)
    debug_calls = [r for r in graph.requests if r["path"].endswith("/debug_token")]
    assert len(debug_calls) == 2


def test_a_token_refused_at_the_runs_check_stops_it_before_any_account_is_asked(graph):
    graph.add_account("not_asked", posts=1)
    graph.faults.append(Fault(status=400, body=TOKEN_EXPIRED))
    run = refresh(["not_asked"], token_checked=False)
    assert (run.status, run.error_code, run.done) == (Status.FAILED, "token_invalid", 0)
    assert graph.discovery_calls() == []
    assert graph_token_status()["refused"]
    assert graph_refresh_schedule() is None


def test_a_check_that_cannot_reach_the_api_leaves_the_expiry_unknown_and_the_run_goes_on(graph):
    graph.add_account("goes_on", posts=1)
    graph.faults.extend([Fault(status=503)] * 3)
    run = refresh(["goes_on"], token_checked=False)
    assert (run.status, run.refreshed) == (Status.DONE, 1)
    status = graph_token_status()
    assert status["expires_at"] is None and status["checked_at"] is None
    assert graph_token_check_due(token=GOOD_TOKEN)  # the next run asks again


# --- images: the refresh's posts and profile picture through the safe image-link fetcher -------


def test_a_refresh_fetches_the_images_of_the_posts_it_stores_and_sets_each_links_state(
    graph, https_cdn, django_capture_on_commit_callbacks
):
    from influencers.models import ImageLinkState, PostImageLink

    graph.image_base = https_cdn.url("/img")
    account = graph.add_account("pictured", posts=2)
    album = media_item(3, handle="pictured", kind="CAROUSEL_ALBUM", image_base=graph.image_base)
    album["children"] = {
        "data": [
            {"id": "3001", "media_type": "IMAGE", "media_url": https_cdn.url("/img/a1.jpg?oh=1")},
            {"id": "3002", "media_type": "VIDEO", "media_url": https_cdn.url("/img/a2.mp4")},
            {"id": "3003", "media_type": "IMAGE", "media_url": https_cdn.url("/img/a3.jpg?oh=3")},
        ]
    }
    account["media"].insert(0, album)
    with django_capture_on_commit_callbacks(execute=True):
        run = refresh(["pictured"])
    assert (run.status, run.posts_created) == (Status.DONE, 3)
    posts = {p.instagram_id: p for p in Post.objects.filter(influencer__handle="pictured")}
    assert all(p.image for p in posts.values())
    assert posts[album["id"]].extra_image_count == 1  # the album's two images, the video left out
    links = PostImageLink.objects.filter(post__influencer__handle="pictured")
    assert {link.state for link in links} == {ImageLinkState.FETCHED}
    assert [
        link.url for link in links.filter(post__instagram_id=album["id"]).order_by("position")
    ] == [https_cdn.url("/img/a1.jpg?oh=1"), https_cdn.url("/img/a3.jpg?oh=3")]
    for item in account["media"][1:]:
        assert links.get(post__instagram_id=item["id"]).url == item["media_url"]
    assert https_cdn.hits["/img/pictured/1.jpg"] == 1 and https_cdn.hits["/img/a2.mp4"] == 0


def test_a_refresh_stores_the_profile_picture_through_the_safe_fetcher_when_there_is_none(
    graph, https_cdn, django_capture_on_commit_callbacks
):
    from PIL import Image

    graph.image_base = https_cdn.url("/img")
    graph.add_account("faced", posts=1)
    with django_capture_on_commit_callbacks(execute=True):
        refresh(["faced"])
    influencer = Influencer.objects.get(handle="faced")
    assert influencer.profile_image.name.startswith("profiles/")
    assert "faced" not in influencer.profile_image.name  # a generated name, never the link's
    with influencer.profile_image.open("rb") as fp:
        assert Image.open(fp).format == "JPEG"  # re-encoded by the upload validator
    assert https_cdn.hits["/img/faced/p.jpg"] == 1
    # the next refresh keeps the picture it has: nothing records which link it came from
    with django_capture_on_commit_callbacks(execute=True):
        refresh(["faced"])
    assert https_cdn.hits["/img/faced/p.jpg"] == 1


@pytest.mark.parametrize(
    "picture,allowed,requested",
    [
        ("/expired.jpg", ["127.0.0.1"], 1),  # a signed link past its time: tried next refresh
        ("/page.jpg", ["127.0.0.1"], 1),  # a login page, not an image
        ("/img/elsewhere.jpg", ["*.cdninstagram.com", "*.fbcdn.net"], 0),  # off the allow-list
    ],
)
def test_a_profile_picture_that_cannot_be_fetched_leaves_none_and_the_refresh_succeeds(
    graph, https_cdn, django_capture_on_commit_callbacks, settings, picture, allowed, requested
):
    settings.SAFE_FETCH_ALLOWED_HOSTS = allowed
    account = graph.add_account("faceless", posts=1)
    account["profile"]["profile_picture_url"] = https_cdn.url(picture)
    with django_capture_on_commit_callbacks(execute=True):
        run = refresh(["faceless"])
    assert (run.status, run.refreshed) == (Status.DONE, 1)
    assert not Influencer.objects.get(handle="faceless").profile_image
    assert https_cdn.hits[picture] == requested


def test_a_profile_image_staff_set_is_kept_and_a_plain_http_link_never_fetched(
    graph, https_cdn, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from tests.conftest import jpeg_bytes

    graph.image_base = https_cdn.url("/img")
    graph.add_account("curated", posts=1)
    plain = graph.add_account("plain_http", posts=1)
    plain["profile"]["profile_picture_url"] = https_cdn.url("/img/plain.jpg").replace(
        "https://", "http://"
    )
    staff = Influencer.objects.create(handle="curated", tracked=True)
    staff.profile_image.save("staff.jpg", ContentFile(jpeg_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        refresh(["curated", "plain_http"])
    assert Influencer.objects.get(handle="curated").profile_image.name == staff.profile_image.name
    assert not Influencer.objects.get(handle="plain_http").profile_image
    assert https_cdn.hits["/img/curated/p.jpg"] == 0 and https_cdn.hits["/img/plain.jpg"] == 0
