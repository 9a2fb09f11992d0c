"""Withdrawal through a real worker on real Redis: the job is queued after commit on the bulk
queue, and the worker deletes the user's rows and files while the web side only watches the row."""

import pytest
from django.test import Client

from accounts.models import AccountDeletion, User
from accounts.privacy.constants import DeletionStatus
from recommender.models import RecommendationRequest
from tests.accounts.conftest import hold_everything
from tests.conftest import media_files, wait_for
from tests.factories import STRONG_PASSWORD, BrandFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_deletes_the_leaving_users_rows_and_files(worker, settings):
    leaving = hold_everything(BrandFactory(username="worker_leaver"))
    staying = hold_everything(BrandFactory(username="worker_stayer"))

    response = leaving.client.post(
        "/accounts/withdraw/", {"password": STRONG_PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 302
    assert wait_for(
        lambda: AccountDeletion.objects.filter(status=DeletionStatus.DONE).exists(), timeout=60
    ), worker.log_path.read_text()[-3000:]
    assert 'data-status="done"' in Client().get(response["Location"]).content.decode()
    assert not User.objects.filter(pk=leaving.user.pk).exists()
    assert not RecommendationRequest.objects.filter(user_id=leaving.user.pk).exists()
    root = settings.MEDIA_ROOT
    left = {str(p.relative_to(root)) for p in media_files(root)}
    assert not set(leaving.photos) & left
    assert set(staying.photos) <= left
