"""Issue 21: a stolen session could change the account's e-mail without the password, then take
the account over with a password reset. Now the change takes the password, the old address is
told, and its link undoes the change and logs every session and token out."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.email_changes import UNDO_SALT
from accounts.models import ApiToken
from accounts.tokens import api_token_create
from tests.factories import STRONG_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {"gender": "F", "body_size": "M"}


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.com", gender="F", body_size="M")


def change_email(client, new_email, password=None, capture=None):
    data = {**PROFILE, "email": new_email}
    if password is not None:
        data["current_password"] = password
    if capture is None:
        return client.post(reverse("accounts:profile"), data)
    with capture(execute=True):
        return client.post(reverse("accounts:profile"), data)


def undo_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/email/undo/\S+/)", message.body).group(1)


def test_a_stolen_session_cannot_change_the_e_mail_without_the_password(client, owner):
    client.force_login(owner)
    for password in (None, "", "guessed-wrong-1"):
        response = change_email(client, "thief@example.com", password)
        assert response.status_code == 200
        assert response.context["form"].has_error("current_password", "wrong_password")
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"
    assert mail.outbox == []


def test_guessing_the_password_through_the_profile_is_limited_per_account(client, owner, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_change": "3/hour"}
    client.force_login(owner)
    for n in range(3):
        assert change_email(client, "thief@example.com", f"guess-{n}").status_code == 200
    refused = change_email(client, "thief@example.com", STRONG_PASSWORD)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


def test_the_profile_without_a_new_e_mail_saves_without_the_password(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile"), {"email": owner.email, "gender": "M", "body_size": "L"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.gender, owner.body_size) == ("M", "L")
    assert mail.outbox == []


def test_with_the_password_the_e_mail_changes_and_the_old_address_is_told(
    client, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    response = change_email(
        client, "new@example.com", STRONG_PASSWORD, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.email == "new@example.com"
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    notice = mail.outbox[0].body
    assert "new@example.com" in notice and owner.username in notice
    assert "/accounts/email/undo/" in notice


def test_the_old_addresss_link_undoes_the_change_and_logs_everyone_out(
    client, owner, django_capture_on_commit_callbacks
):
    _token, secret = api_token_create(user=owner)
    thief, api = Client(), APIClient()
    thief.force_login(owner)
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    change_email(thief, "thief@example.com", STRONG_PASSWORD, django_capture_on_commit_callbacks)
    assert thief.get(reverse("accounts:profile")).status_code == 200
    link = undo_path(mail.outbox[0])

    confirm = client.get(link)  # a mail scanner opening the link changes nothing
    assert confirm.status_code == 200 and "thief@example.com" in confirm.content.decode()
    owner.refresh_from_db()
    assert owner.email == "thief@example.com"

    undone = client.post(link)
    assert undone.status_code == 200
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"
    # The thief's session and every API token are over.
    assert thief.get(reverse("accounts:profile")).status_code == 302
    assert api.get("/api/v1/recommendations/").status_code == 401
    assert not ApiToken.objects.filter(user=owner).exists()
    # The owner's password still works: sessions ended without a new password.
    assert Client().login(username=owner.username, password=STRONG_PASSWORD)


def test_a_thief_changing_the_address_twice_is_still_undone_by_the_first_link(
    client, owner, django_capture_on_commit_callbacks
):
    thief = Client()
    thief.force_login(owner)
    for address in ("thief1@example.com", "thief2@example.com"):
        change_email(thief, address, STRONG_PASSWORD, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["owner@example.com"], ["thief1@example.com"]]
    client.post(undo_path(mail.outbox[0]))
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"
    again = client.post(undo_path(mail.outbox[0]))
    assert again.status_code == 400  # already undone: nothing to do


def test_a_forged_or_expired_undo_link_is_refused(client, owner, settings):
    settings.EMAIL_CHANGE_UNDO_DAYS = 7
    owner.email = "thief@example.com"
    owner.save()
    change = {"user": owner.pk, "old": "owner@example.com", "new": "thief@example.com"}

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 8 * 86400)

    expired = EightDaysAgo(salt=UNDO_SALT).sign_object(change)
    forged = signing.dumps(change, salt="another purpose")
    for token in (expired, forged, "not-a-token"):
        response = client.post(reverse("accounts:email_change_undo", args=[token]))
        assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.email == "thief@example.com"
    fresh = signing.dumps(change, salt=UNDO_SALT)
    assert client.post(reverse("accounts:email_change_undo", args=[fresh])).status_code == 200
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


def test_the_undo_window_is_a_setting(client, owner, settings):
    settings.EMAIL_CHANGE_UNDO_DAYS = 1
    owner.email = "thief@example.com"
    owner.save()

    class TwoDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 2 * 86400)

    token = TwoDaysAgo(salt=UNDO_SALT).sign_object(
        {"user": owner.pk, "old": "owner@example.com", "new": "thief@example.com"}
    )
    assert client.post(reverse("accounts:email_change_undo", args=[token])).status_code == 400
    settings.EMAIL_CHANGE_UNDO_DAYS = 3
    assert client.post(reverse("accounts:email_change_undo", args=[token])).status_code == 200
