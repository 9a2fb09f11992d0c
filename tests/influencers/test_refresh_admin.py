"""Admin of the live refresh: the token shown only as a hint, refresh now, runs, notices."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from influencers.models import GraphCredential, Influencer, RefreshRun
from tests.factories import UserFactory
from tests.fake_graph_api import TOKEN_EXPIRED, Fault
from tests.influencers.graph_helpers import GOOD_TOKEN

pytestmark = pytest.mark.django_db
NEW_TOKEN = "EAAGadminPastedToken77aa"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def _page(client, url, language="en") -> str:
    client.cookies["django_language"] = language
    with translation.override(language):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_token_saved_in_admin_is_never_shown_again_only_its_end_and_expiry(graph, admin_client):
    graph.tokens.add(NEW_TOKEN)
    graph.debug_expires_at = int(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC).timestamp())
    response = admin_client.post(
        "/admin/influencers/graphcredential/add/", {"token": NEW_TOKEN}, follow=True
    )
    assert response.status_code == 200
    assert GraphCredential.objects.get().token_hint == "…77aa"
    page = _page(admin_client, "/admin/influencers/graphcredential/1/change/")
    assert NEW_TOKEN not in page
    assert "set, ends …77aa" in page and "2027-03-01 18:00" in page  # Seoul time
    listing = _page(admin_client, "/admin/influencers/graphcredential/")
    assert NEW_TOKEN not in listing and "…77aa" in listing


def test_a_refused_token_is_a_form_error_and_nothing_is_stored(graph, admin_client):
    response = admin_client.post("/admin/influencers/graphcredential/add/", {"token": "EAAGnope1"})
    assert response.status_code == 200
    assert (
        "Instagram refused this token: Error validating access token" in response.content.decode()
    )
    assert not GraphCredential.objects.exclude(token_encrypted="").exists()


def test_staff_are_warned_before_the_token_lapses(graph, admin_client, settings):
    graph.tokens.add(NEW_TOKEN)
    soon = timezone.now() + dt.timedelta(days=2)
    graph.debug_expires_at = int(soon.timestamp())
    admin_client.post("/admin/influencers/graphcredential/add/", {"token": NEW_TOKEN})
    page = _page(admin_client, "/admin/influencers/influencer/")
    assert "The Instagram token expires on" in page


def test_a_dead_token_shows_one_clear_notice_in_the_readers_language(graph, admin_client):
    graph.add_account("dies", posts=1)
    graph.faults.append(Fault(status=400, body=TOKEN_EXPIRED))
    from tests.influencers.graph_helpers import refresh

    refresh(["dies"])
    page = _page(admin_client, "/admin/influencers/refreshrun/", "ko")
    assert "인스타그램이 토큰(…4f2a)을 거부했습니다" in page
    assert "good-token-4f2a" not in page
    english = _page(admin_client, "/admin/influencers/refreshrun/", "en")
    assert english.count("Instagram refused the token (…4f2a)") == 1


def test_refresh_now_queues_a_run_that_fills_the_influencer(
    graph, admin_client, django_capture_on_commit_callbacks
):
    graph.add_account("staff_pick", posts=2, followers=777)
    influencer = Influencer.objects.create(handle="staff_pick")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/influencers/influencer/",
            {"action": "refresh_now", "_selected_action": [influencer.pk]},
            follow=True,
        )
    assert response.status_code == 200
    run = RefreshRun.objects.get()
    assert (run.trigger, run.status, run.refreshed) == ("admin", "done", 1)  # eager in tests
    influencer.refresh_from_db()
    assert influencer.tracked and influencer.followers == 777


def test_adding_a_tracked_handle_in_admin_fills_it_at_once(
    graph, admin_client, django_capture_on_commit_callbacks
):
    graph.add_account("added_here", posts=1, followers=55)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/influencers/influencer/add/",
            {
                "handle": "added_here",
                "tracked": "on",
                "is_active": "on",
                "brand_style_likes": "0",
                "consumer_style_posts": "0",
                "posts-TOTAL_FORMS": "0",
                "posts-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Influencer.objects.get(handle="added_here").followers == 55


def test_the_last_refresh_error_shows_its_reason_in_the_readers_language(graph, admin_client):
    graph.add_account("still_here", posts=1)
    from tests.influencers.graph_helpers import refresh

    refresh(["private_one", "still_here"])
    influencer = Influencer.objects.get(handle="private_one")
    page = _page(admin_client, f"/admin/influencers/influencer/{influencer.pk}/change/", "ko")
    assert "비즈니스 디스커버리" in page
    page = _page(admin_client, f"/admin/influencers/influencer/{influencer.pk}/change/", "en")
    assert "Business discovery cannot read this account" in page


def test_staff_without_the_change_permission_cannot_start_a_refresh(graph, client):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_influencer"))
    client.force_login(user)
    influencer = Influencer.objects.create(handle="guarded")
    client.post(
        "/admin/influencers/influencer/",
        {"action": "refresh_now", "_selected_action": [influencer.pk]},
    )
    assert not RefreshRun.objects.exists()


def test_staff_track_several_handles_at_once_and_watch_them_fill(
    graph, admin_client, django_capture_on_commit_callbacks
):
    graph.add_account("first_pick", posts=2, followers=10)
    graph.add_account("second_pick", posts=1, followers=20)
    Influencer.objects.create(handle="Second_Pick", gender="M", body_size="L")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/influencers/influencer/track/",
            {"handles": "@first_pick, second_pick\nfirst_pick"},
            follow=True,
        )
    page = response.content.decode()
    assert "1 new and 1 known handles tracked" in page
    run = RefreshRun.objects.get()
    assert (run.status, run.done, run.total, run.refreshed) == ("done", 2, 2, 2)
    assert f"/admin/influencers/refreshrun/{run.pk}/change/" in response.redirect_chain[-1][0]
    assert Influencer.objects.get(handle="first_pick").followers == 10
    assert Influencer.objects.get(handle="Second_Pick").gender == "M"


def test_a_typed_value_that_is_no_handle_is_named_and_nothing_is_tracked(graph, admin_client):
    response = admin_client.post(
        "/admin/influencers/influencer/track/", {"handles": "fine_one ../etc/passwd"}
    )
    assert response.status_code == 200
    assert "Not an Instagram handle: &#x27;../etc/passwd&#x27;" in response.content.decode()
    assert not Influencer.objects.exists() and not RefreshRun.objects.exists()


def test_staff_who_may_not_add_influencers_cannot_track_handles(graph, client):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_influencer"))
    client.force_login(user)
    assert client.post("/admin/influencers/influencer/track/", {"handles": "x"}).status_code == 403
    assert (
        "/admin/influencers/influencer/track/"
        not in client.get("/admin/influencers/influencer/").content.decode()
    )


def test_a_token_saved_under_another_encryption_key_asks_to_be_saved_again(
    graph, admin_client, settings
):
    graph.tokens.add(NEW_TOKEN)
    settings.FIELD_ENCRYPTION_KEY = "k" * 43 + "="
    admin_client.post("/admin/influencers/graphcredential/add/", {"token": NEW_TOKEN})
    settings.FIELD_ENCRYPTION_KEY = "j" * 43 + "="
    page = _page(admin_client, "/admin/influencers/influencer/")
    assert "cannot be read with the current encryption key" in page
    from tests.influencers.graph_helpers import refresh

    graph.add_account("blocked", posts=1)
    run = refresh(["blocked"])
    assert run.error_code == "token_missing" and graph.discovery_calls() == []


CHECK_URL = "/admin/influencers/graphcredential/check/"


def test_staff_check_the_environments_token_and_see_its_expiry_with_a_warning_in_their_language(
    graph, admin_client
):
    soon = timezone.now() + dt.timedelta(days=2)
    graph.debug_expires_at = int(soon.timestamp())
    listing = _page(admin_client, "/admin/influencers/graphcredential/")
    assert "from the environment, ends …4f2a" in listing and "Check the token now" in listing
    assert "The Instagram token expires on" not in listing  # not checked yet: unknown
    response = admin_client.post(CHECK_URL, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/influencers/graphcredential/"
    page = response.content.decode()
    when = timezone.localtime(soon).strftime("%Y-%m-%d %H:%M")
    assert f"Instagram checked the token: it expires on {when}." in page
    listing = _page(admin_client, "/admin/influencers/graphcredential/")
    assert "from the environment, ends …4f2a" in listing and "expires soon" in listing
    assert "The Instagram token expires on" in listing and GOOD_TOKEN not in listing
    korean = _page(admin_client, "/admin/influencers/graphcredential/", "ko")
    assert "환경 변수에서, 끝자리 …4f2a" in korean and "곧 만료" in korean
    assert "지금 토큰 확인" in korean


def test_checking_the_token_when_instagram_cannot_be_reached_says_the_expiry_is_unknown(
    graph, admin_client
):
    graph.faults.extend([Fault(status=503)] * 3)
    page = admin_client.post(CHECK_URL, follow=True).content.decode()
    assert "Instagram could not be reached, so the token&#x27;s expiry is unknown" in page
    assert "Instagram answered with a server error" in page
    assert not GraphCredential.objects.filter(checked_at__isnull=False).exists()


def test_checking_a_token_instagram_refuses_marks_it_refused(graph, admin_client):
    graph.tokens.clear()
    page = admin_client.post(CHECK_URL, follow=True).content.decode()
    assert page.count("Instagram refused the token (…4f2a)") == 1
    assert GraphCredential.objects.get().refused_at is not None


def test_checking_the_token_takes_staff_with_the_change_permission_and_a_post_with_csrf(
    graph, client
):
    from django.contrib.auth.models import Permission
    from django.test import Client

    assert client.post(CHECK_URL).status_code == 302  # to the admin's login page
    client.force_login(UserFactory(is_staff=False))
    assert client.post(CHECK_URL).status_code == 302
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_graphcredential"))
    client.force_login(viewer)
    assert client.post(CHECK_URL).status_code == 403
    assert "Check the token now" not in _page(client, "/admin/influencers/graphcredential/")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(CHECK_URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(CHECK_URL).status_code == 403
    assert graph.requests == []  # no refused request reached Instagram
