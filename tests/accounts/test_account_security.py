"""Log-in, sign-up, password and username abuse: each test replays one attack of issue 16/18."""

import re

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.constants import PASSWORD_MAX_LENGTH
from accounts.models import ApiToken, User
from accounts.tokens import api_token_create
from common.ratelimit import wait_display
from tests.factories import STRONG_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-91"


@pytest.fixture
def rates(settings):
    """Small limits for one test: rates(login="3/minute")."""

    def set_rates(**scoped):
        settings.RATE_LIMITS = {
            **settings.RATE_LIMITS,
            **scoped,
        }

    return set_rates


@pytest.fixture
def failed_logins():
    """Every authenticate() that checked a password and failed (Django's own signal)."""
    seen = []

    def record(sender, credentials, **kwargs):
        seen.append(credentials)

    user_login_failed.connect(record)
    yield seen
    user_login_failed.disconnect(record)


def sign_up(client, **overrides):
    data = {
        "role": "consumer",
        "username": "minji",
        "email": "minji@example.com",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "gender": "F",
        "body_size": "S",
        "brand_name": "",
        "policy_agreed": "on",
    }
    data.update(overrides)
    return client.post(reverse("accounts:signup"), data)


def text(response) -> str:
    return response.content.decode()


# --- rate limits: the right message, in human units, for the right password too -----------------


def test_the_log_in_lock_out_speaks_of_log_in_attempts_even_for_the_right_password(client, rates):
    rates(login="3/hour")
    user = UserFactory()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "no"})
    right = client.post(
        reverse("accounts:login"), {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert right.status_code == 429
    assert 1 <= int(right["Retry-After"]) <= 3600
    assert "_auth_user_id" not in client.session
    assert "로그인 시도가 너무 많습니다" in text(right)
    assert "업로드" not in text(right)
    # Minutes, or "1시간" when the wait rounds up to the whole period: never seconds.
    assert re.search(r"\d+(분|시간) 후에", text(right)), text(right)
    assert "초 후에" not in text(right)


def test_the_token_api_lock_out_speaks_of_log_in_attempts(rates):
    rates(login="2/hour")
    user = UserFactory()
    api = APIClient()
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "no"})
    refused = api.post(
        "/api/v1/auth/token/", {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "로그인 시도" in refused.json()["detail"]
    assert not ApiToken.objects.filter(user=user).exists()


def test_admin_log_in_is_limited_and_shares_the_count_with_the_log_in_page(client, rates):
    rates(login="4/hour")
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": staff.username, "password": "no"})
    for _ in range(2):
        answer = client.post("/admin/login/", {"username": staff.username, "password": "no"})
        assert answer.status_code == 200
    right = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": STRONG_PASSWORD}
    )
    assert right.status_code == 429 and int(right["Retry-After"]) >= 1
    assert "로그인 시도가 너무 많습니다" in text(right)
    assert "_auth_user_id" not in client.session


def test_forty_wrong_staff_passwords_in_a_minute_are_not_all_checked(client, rates, failed_logins):
    rates(login="10/hour")  # the default is 10/minute; an hour's window never ends mid-test
    staff = UserFactory(is_staff=True)
    answers = [
        client.post("/admin/login/", {"username": staff.username, "password": f"guess{n}"})
        for n in range(40)
    ]
    assert [a.status_code for a in answers].count(429) == 30
    assert len(failed_logins) == 10


def test_password_change_is_limited_per_account(client, rates, failed_logins):
    rates(password_change="2/hour")
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    wrong = {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(url, wrong).status_code == 200
    assert client.post(url, wrong).status_code == 200
    right = {**wrong, "old_password": STRONG_PASSWORD}
    refused = client.post(url, right)
    assert refused.status_code == 429
    assert "비밀번호 변경" in text(refused)
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_admin_password_change_has_the_same_limit(client, rates):
    rates(password_change="1/hour")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    data = {"old_password": "x", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/admin/password_change/", data).status_code == 200
    assert client.post("/admin/password_change/", data).status_code == 429


def test_sign_up_is_limited_per_address_and_typos_do_not_count(client, rates):
    """Walkthrough: ten sign-ups with passwords that differ locked a whole office out."""
    rates(signup="2/hour")
    for n in range(5):  # mistakes in the form: shown, not counted
        assert sign_up(client, username=f"typo{n}", password2="differs").status_code == 200
    assert sign_up(client, username="first").status_code == 302
    client.logout()
    assert sign_up(client, username="second").status_code == 302
    client.logout()
    refused = sign_up(client, username="third")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "가입" in text(refused)
    assert not User.objects.filter(username="third").exists()
    # Over the limit even a form with mistakes is refused before it is checked.
    assert sign_up(client, username="fourth", password2="differs").status_code == 429


def test_sign_up_answers_whether_a_name_is_taken_only_a_few_times(client, rates):
    """Enumeration: probing names through the "taken" message runs into the sign-up limit."""
    rates(signup="5/hour")
    UserFactory(username="victim")
    # A form with another mistake never says whether a name is taken (and is not counted) ...
    for n in range(8):
        name = "victim" if n % 2 else f"free{n}"
        answer = sign_up(client, username=name, password2="differs")
        assert answer.status_code == 200 and "이미 사용 중인 아이디" not in text(answer)
        short = sign_up(client, username=name, password1="short", password2="short")
        assert short.status_code == 200 and "이미 사용 중인 아이디" not in text(short)
    # ... and every answer it does give counts: five, then the limit.
    answers = [sign_up(client, username="victim") for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    assert "이미 사용 중인 아이디" in text(answers[0])
    assert "이미 사용 중인 아이디" not in text(answers[-1])


def test_the_wait_reads_in_minutes_and_hours_not_thousands_of_seconds():
    with translation.override("ko"):
        assert wait_display(3344) == "56분"
        assert wait_display(45) == "45초"
        assert wait_display(3700) == "1시간 2분"
    with translation.override("en"):
        assert wait_display(3344) == "56 minutes"
        assert wait_display(1) == "1 second"


def test_the_upload_limit_message_names_uploads_and_minutes(client, consumer, rates):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import jpeg_bytes

    rates(uploads="1/hour")
    client.force_login(consumer)

    def upload():
        image = SimpleUploadedFile("look.jpg", jpeg_bytes(), content_type="image/jpeg")
        data = {"image": image, "mode": "consumer", "gender": "F", "body_size": "M"}
        return client.post("/recommendations/", {**data, "ranking": "similarity"})

    upload()
    refused = upload()
    assert refused.status_code == 429
    assert "업로드가 너무 많습니다" in text(refused)
    assert re.search(r"\d+(분|시간) 후에", text(refused))  # not "3344초"


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(client, rates, settings):
    rates(login="2/hour")
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("accounts:login")
    wrong = {"username": "x", "password": "y"}
    # The attacker sends a made-up X-Forwarded-For; nginx appends the real address after it.
    for n in range(2):
        client.post(url, wrong, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7")
    assert client.post(url, wrong, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7").status_code == 429
    assert client.post(url, wrong, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_with_the_cache_down_log_in_still_works(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    user = UserFactory()
    with override_settings(CACHES=unreachable):
        response = client.post(
            reverse("accounts:login"), {"username": user.username, "password": STRONG_PASSWORD}
        )
    assert response.status_code == 302


# --- passwords: capped before hashing; a new password ends the API tokens -------------------------


HUGE = "p" * (5 * 1024 * 1024)


def test_a_five_megabyte_password_is_refused_at_sign_up(client):
    response = sign_up(client, password1=HUGE, password2=HUGE)
    assert response.status_code == 200
    assert response.context["form"].has_error("password1", "max_length")
    assert not User.objects.exists()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_five_megabyte_password_is_never_checked_at_log_in(client, failed_logins, url):
    user = UserFactory(is_staff=True)
    response = client.post(url, {"username": user.username, "password": HUGE})
    assert response.status_code == 200
    assert response.context["form"].has_error("password", "max_length")
    assert failed_logins == []


def test_a_five_megabyte_password_is_never_checked_by_the_token_api(failed_logins):
    user = UserFactory()
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": HUGE}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert failed_logins == []


def test_a_password_of_the_maximum_length_works():
    password = "안녕-" * (PASSWORD_MAX_LENGTH // 3) + "x" * (PASSWORD_MAX_LENGTH % 3)
    assert len(password) == PASSWORD_MAX_LENGTH
    user = UserFactory()
    user.set_password(password)
    user.save()
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}
    )
    assert response.status_code == 302


def test_an_oversized_new_password_is_refused_on_the_change_form(client):
    user = UserFactory()
    client.force_login(user)
    big = "p" * (1024 * 1024)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": big, "new_password1": big, "new_password2": big},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password1", "max_length")
    assert response.context["form"].has_error("old_password", "max_length")


def test_the_admin_set_password_form_refuses_an_oversized_password(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    target = UserFactory()
    client.force_login(admin_user)
    long = "x" * (PASSWORD_MAX_LENGTH + 1)
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": long, "password2": long, "usable_password": "true"},
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.check_password(STRONG_PASSWORD)


def test_a_password_change_ends_the_api_tokens(client):
    user = UserFactory()
    _token, secret = api_token_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/recommendations/").status_code == 200
    client.force_login(user)
    changed = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": STRONG_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert api.get("/api/v1/recommendations/").status_code in (401, 403)
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_password_set_by_staff_in_admin_ends_the_api_tokens(client):
    target = UserFactory()
    api_token_create(user=target)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=target).exists()


def test_a_profile_save_keeps_the_api_tokens(client):
    user = UserFactory()
    api_token_create(user=user)
    client.force_login(user)
    saved = client.post(
        reverse("accounts:profile"),
        {
            "email": "new@example.com",
            "current_password": STRONG_PASSWORD,
            "gender": "M",
            "body_size": "L",
        },
    )
    assert saved.status_code == 302
    assert ApiToken.objects.filter(user=user).exists()


# --- password reset by e-mail ---------------------------------------------------------------------


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_a_password_reset_by_e_mail_sets_the_new_password_and_ends_the_tokens(client):
    user = UserFactory(email="minji@example.com")
    api_token_create(user=user)
    page = client.get(reverse("accounts:password_reset"))
    assert page.status_code == 200 and "비밀번호" in text(page)
    sent = client.post(reverse("accounts:password_reset"), {"email": "MINJI@example.com"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["minji@example.com"]
    assert user.username in mail.outbox[0].body
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=user).exists()
    # The link works once.
    assert not client.get(reset_link(mail.outbox[0]), follow=True).context["validlink"]


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_requests_are_limited_per_client_address(client, rates):
    rates(password_reset="2/hour")
    url = reverse("accounts:password_reset")
    for n in range(2):
        client.post(url, {"email": f"a{n}@example.com"}, REMOTE_ADDR="192.0.2.50")
    refused = client.post(url, {"email": "z@example.com"}, REMOTE_ADDR="192.0.2.50")
    assert refused.status_code == 429
    assert "비밀번호 재설정" in text(refused)


def test_a_stranger_cannot_block_the_owners_password_reset(client, rates):
    """Issue 21: five requests for someone's address locked its owner out of resets for an hour."""
    rates(password_reset="5/hour", password_reset_mail="3/hour")
    UserFactory(email="victim@example.com")
    url = reverse("accounts:password_reset")
    for _ in range(5):
        answer = client.post(url, {"email": "victim@example.com"}, REMOTE_ADDR="203.0.113.9")
        assert answer.status_code == 302  # past the mail limit it still "succeeds", silently
    assert len(mail.outbox) == 3  # the stranger's pair got its three mails, no more
    own = client.post(url, {"email": "victim@example.com"}, REMOTE_ADDR="192.0.2.7")
    assert own.status_code == 302
    assert len(mail.outbox) == 4 and mail.outbox[-1].to == ["victim@example.com"]


def test_the_mail_limit_counts_only_mails_sent(client, rates):
    """Requests for addresses without an account send nothing and spend no mail allowance."""
    rates(password_reset="50/hour", password_reset_mail="1/hour")
    UserFactory(email="owner@example.com")
    url = reverse("accounts:password_reset")
    for n in range(5):
        client.post(url, {"email": f"nobody{n}@example.com"}, REMOTE_ADDR="192.0.2.8")
    client.post(url, {"email": "owner@example.com"}, REMOTE_ADDR="192.0.2.8")
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_an_oversized_password_from_a_reset_link_is_refused(client):
    user = UserFactory(email="minji@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "minji@example.com"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": HUGE, "new_password2": HUGE}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password1", "max_length")
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_the_log_in_page_says_아이디_like_sign_up_and_links_to_the_reset(client):
    login = text(client.get(reverse("accounts:login")))
    signup = text(client.get(reverse("accounts:signup")))
    assert '<label for="id_username">아이디</label>' in login
    assert '<label for="id_username">아이디</label>' in signup
    assert "사용자 이름" not in login
    assert reverse("accounts:password_reset") in login


# --- usernames --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["john doe", "x!y", "a<b>", "tab\tname", "semi;colon"])
def test_a_username_with_unsafe_characters_is_a_form_error_not_a_500(client, username):
    response = sign_up(client, username=username)
    assert response.status_code == 200
    assert response.context["form"].has_error("username", "invalid_username")
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["ѕtaff1", "brаndA", "АРЕ", "οlivia"])
def test_a_username_with_look_alike_letters_of_another_script_is_refused(client, username):
    response = sign_up(client, username=username)
    assert response.status_code == 200
    assert response.context["form"].has_error("username", "confusable_username")
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["김민지", "minji_kim", "kim.min-ji", "björn", "민지.k"])
def test_korean_latin_and_accented_usernames_are_welcome(client, username):
    assert sign_up(client, username=username).status_code == 302
    assert User.objects.filter(username=username).exists()


def test_a_full_width_username_is_stored_in_its_plain_form(client):
    assert sign_up(client, username="ｍｉｎｊｉ").status_code == 302
    assert User.objects.get().username == "minji"


@pytest.mark.parametrize("second", ["BJÖRN", "Björn", "ＢＪＯ\u0308ＲＮ"])
def test_names_differing_only_in_case_beyond_ascii_collide(client, second):
    assert sign_up(client, username="björn").status_code == 302
    client.logout()
    response = sign_up(client, username=second, email="other@example.com")
    assert response.status_code == 200
    assert response.context["form"].has_error("username", "username_taken")
    assert User.objects.count() == 1


def test_the_database_itself_refuses_a_second_spelling():
    User.objects.create_user(username="björn", password=STRONG_PASSWORD, role="consumer")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="BJÖRN", password=STRONG_PASSWORD, role="consumer")


def test_renaming_an_account_in_admin_to_a_taken_spelling_is_a_form_error(client):
    UserFactory(username="björn")
    target = UserFactory(username="anna")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in ("password", "groups", "user_permissions")
    }
    data.update(username="BJÖRN", date_joined_0="2024-01-01", date_joined_1="00:00:00")
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 200
    assert "이미 사용 중인 아이디입니다" in text(response)
    target.refresh_from_db()
    assert target.username == "anna"
