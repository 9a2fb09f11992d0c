"""Retention: uploaded query photos go after QUERY_PHOTO_RETENTION_DAYS; the request and its
results stay, with a placeholder where the photo was. A beat job, idempotent."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from config.celery_app import app as celery_app
from recommender.constants import HISTORY_THUMBNAIL_PIXELS
from recommender.models import RecommendationRequest
from recommender.services.requests import recommendation_create
from recommender.services.user_data import query_photos_expire
from recommender.tasks import query_photos_expire_task
from tests.accounts.conftest import upload

pytestmark = pytest.mark.django_db


def uploaded(user, *, days_ago: int, name="look.jpg") -> RecommendationRequest:
    request = recommendation_create(user=user, image=upload(name), gender="F", body_size="M")
    created = timezone.now() - timezone.timedelta(days=days_ago)
    RecommendationRequest.objects.filter(pk=request.pk).update(
        created_at=created,
        status="done",
        predicted_style="romantic",
        results={"similarity": {"cards": []}},
    )
    request.refresh_from_db()
    return request


def test_photos_past_the_period_are_deleted_and_their_requests_kept(
    consumer, django_capture_on_commit_callbacks
):
    old = uploaded(consumer, days_ago=31)
    recent = uploaded(consumer, days_ago=29)
    client = Client()
    client.force_login(consumer)
    assert client.get(f"/recommendations/{old.pk}/thumbnail.jpg").status_code == 200
    old_name, recent_name = old.image.name, recent.image.name

    with django_capture_on_commit_callbacks(execute=True):
        assert query_photos_expire() == 1

    old.refresh_from_db()
    assert (old.image.name, old.status, old.predicted_style) == ("", "done", "romantic")
    assert old.results == {"similarity": {"cards": []}} and old.photo_deleted_at is not None
    assert not default_storage.exists(old_name)
    assert cache.get(f"thumbnail:{HISTORY_THUMBNAIL_PIXELS}:{old_name}") is None
    assert default_storage.exists(recent_name)
    page = client.get(f"/recommendations/{old.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "photo-placeholder" in html and old_name not in html
    assert client.get(f"/recommendations/{old.pk}/thumbnail.jpg").status_code == 404
    history = client.get("/history/").content.decode()
    assert (
        "photo-placeholder" in history and f"/recommendations/{recent.pk}/thumbnail.jpg" in history
    )


def test_running_it_again_changes_nothing(consumer, django_capture_on_commit_callbacks):
    uploaded(consumer, days_ago=40)
    kept = uploaded(consumer, days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert query_photos_expire() == 1
    stamped = RecommendationRequest.objects.exclude(photo_deleted_at=None).get()

    with django_capture_on_commit_callbacks(execute=True):
        assert query_photos_expire() == 0

    assert RecommendationRequest.objects.exclude(photo_deleted_at=None).get() == stamped
    assert RecommendationRequest.objects.get(pk=stamped.pk).photo_deleted_at == (
        stamped.photo_deleted_at
    )
    assert default_storage.exists(kept.image.name)


def test_the_period_is_a_setting(consumer, settings, django_capture_on_commit_callbacks):
    settings.QUERY_PHOTO_RETENTION_DAYS = 7
    week_old = uploaded(consumer, days_ago=8)
    with django_capture_on_commit_callbacks(execute=True):
        assert query_photos_expire_task.apply().get() == 1
    assert not default_storage.exists(week_old.image.name)


def test_a_photo_goes_only_when_the_transaction_commits(consumer):
    old = uploaded(consumer, days_ago=31)
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            query_photos_expire()
            raise RuntimeError("rolled back")
    old.refresh_from_db()
    assert old.image.name and default_storage.exists(old.image.name)


def test_celery_beat_runs_the_job_and_the_privacy_page_states_the_period(client, settings):
    entry = next(
        e
        for e in django_settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "recommender.tasks.query_photos_expire_task"
    )
    assert entry["task"] in celery_app.tasks
    settings.QUERY_PHOTO_RETENTION_DAYS = 30
    korean = client.get("/privacy/").content.decode()
    assert "<strong>30일</strong>이 지나면 자동으로 삭제" in korean
    client.cookies["django_language"] = "en"
    english = client.get("/privacy/").content.decode()
    assert "deleted automatically <strong>30 days</strong> after upload" in english


def test_a_request_deleted_from_history_takes_its_photo_and_thumbnail_along(
    consumer, django_capture_on_commit_callbacks
):
    item = uploaded(consumer, days_ago=1)
    client = Client()
    client.force_login(consumer)
    assert client.get(f"/recommendations/{item.pk}/thumbnail.jpg").status_code == 200
    key = f"thumbnail:{HISTORY_THUMBNAIL_PIXELS}:{item.image.name}"
    assert cache.get(key) is not None

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/recommendations/{item.pk}/delete/", {"confirm": "yes"})

    assert not RecommendationRequest.objects.filter(pk=item.pk).exists()
    assert not default_storage.exists(item.image.name) and cache.get(key) is None
