import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import STRONG_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


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


def test_the_sign_up_page_is_in_korean_by_default(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert "회원가입" in response.content.decode()


def test_a_consumer_signs_up_with_gender_and_size_and_is_logged_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(username="minji")
    assert (user.role, user.gender, user.body_size) == ("consumer", "F", "S")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_brand_signs_up_with_its_brand_name(client):
    response = sign_up(
        client, role="brand", username="acme", gender="", body_size="", brand_name="아크미"
    )
    assert response.status_code == 302
    user = User.objects.get(username="acme")
    assert (user.role, user.brand_name, user.gender) == ("brand", "아크미", "")


def test_a_consumer_without_size_is_refused(client):
    response = sign_up(client, body_size="")
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["1234", "password", "12345678901"])
def test_a_weak_password_is_refused_with_the_validators_message(client, password):
    response = sign_up(client, password1=password, password2=password)
    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert errors
    assert not User.objects.exists()


def test_a_password_equal_to_the_username_is_refused(client):
    response = sign_up(
        client, username="longusername77", password1="longusername77", password2="longusername77"
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["password1"])
    assert "유사" in message or "similar" in message
    assert not User.objects.exists()


def test_a_taken_username_is_refused_whatever_its_case(client):
    UserFactory(username="Minji")
    response = sign_up(client, username="minji")
    assert response.status_code == 200
    assert User.objects.count() == 1


def test_log_in_and_log_out(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_log_in_and_sign_up_posts_without_a_csrf_token_are_refused():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    login = client.post(
        reverse("accounts:login"), {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert login.status_code == 403
    signup = client.post(reverse("accounts:signup"), {"username": "x"})
    assert signup.status_code == 403
    assert User.objects.count() == 1


def test_profile_edit_changes_only_ones_own_profile(client):
    me, other = UserFactory(), UserFactory(gender="F", body_size="S")
    client.force_login(me)
    response = client.post(
        reverse("accounts:profile"),
        {
            "email": "new@example.com",
            "current_password": STRONG_PASSWORD,
            "gender": "M",
            "body_size": "L",
        },
    )
    assert response.status_code == 302
    me.refresh_from_db()
    other.refresh_from_db()
    assert (me.email, me.gender, me.body_size) == ("new@example.com", "M", "L")
    assert (other.gender, other.body_size) == ("F", "S")


def test_password_change_works(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": STRONG_PASSWORD,
            "new_password1": "another-long-passphrase-91",
            "new_password2": "another-long-passphrase-91",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-91")


def test_login_attempts_are_throttled(client, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "login": "3/minute",
    }
    for _ in range(3):
        assert (
            client.post(reverse("accounts:login"), {"username": "x", "password": "y"}).status_code
            == 200
        )
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_staff_reach_admin_and_others_do_not(client):
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


def test_english_is_available(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:signup"))
    assert "Sign up" in response.content.decode()


def test_api_token_log_in_is_throttled_like_the_page(settings):
    from rest_framework.test import APIClient

    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "login": "2/minute",
    }
    user = UserFactory()
    api = APIClient()
    wrong = {"username": user.username, "password": "wrong-guess"}
    assert api.post("/api/v1/auth/token/", wrong).status_code == 400
    assert api.post("/api/v1/auth/token/", wrong).status_code == 400
    refused = api.post(
        "/api/v1/auth/token/", {"username": user.username, "password": STRONG_PASSWORD}
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limited"


def test_log_in_finds_the_account_whatever_case_or_width_is_typed(client):
    from rest_framework.test import APIClient

    UserFactory(username="Mujin.Fashion")
    for typed in ("mujin.fashion", "MUJIN.FASHION", "ｍｕｊｉｎ.ｆａｓｈｉｏｎ"):
        response = client.post(
            reverse("accounts:login"), {"username": typed, "password": STRONG_PASSWORD}
        )
        assert response.status_code == 302, typed
        client.logout()
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "MUJIN.fashion", "password": STRONG_PASSWORD}
    )
    assert token.status_code == 200 and token.json()["token"]
