"""Withdrawal (회원 탈퇴): the account closes at once and a background job deletes every row and
file of the user (local media and the S3 bucket, thumbnails included), and nothing of anyone else."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AccountDeletion, ApiToken, ConsentRecord, User
from accounts.privacy.constants import DeletionStatus
from accounts.privacy.withdrawal import account_deletion_run, account_deletions_reconcile
from campaigns.models import Campaign, SavedInfluencer, ShortlistEntry, StageChange
from common import user_data
from recommender.constants import HISTORY_THUMBNAIL_PIXELS
from recommender.models import RecommendationRequest
from tests.accounts.conftest import hold_everything
from tests.conftest import media_files
from tests.factories import STRONG_PASSWORD, BrandFactory
from tests.reliability.test_s3_media import BUCKET, moto_s3  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def withdraw(client, password=STRONG_PASSWORD):
    return client.post("/accounts/withdraw/", {"password": password, "confirm": "on"}, follow=False)


def stored_names(settings) -> set[str]:
    root = settings.MEDIA_ROOT
    return {str(p.relative_to(root)) for p in media_files(root)}


def assert_nothing_of(user_id: int, photos: list[str]) -> None:
    assert not User.objects.filter(pk=user_id).exists()
    assert not RecommendationRequest.objects.filter(user_id=user_id).exists()
    assert not Campaign.objects.filter(created_by_id=user_id).exists()
    assert not SavedInfluencer.objects.filter(user_id=user_id).exists()
    assert not ApiToken.objects.filter(user_id=user_id).exists()
    assert not ConsentRecord.objects.filter(user_id=user_id).exists()
    assert not StageChange.objects.filter(changed_by_id=user_id).exists()
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(user_id) not in sessions
    for name in photos:
        assert cache.get(f"thumbnail:{HISTORY_THUMBNAIL_PIXELS}:{name}") is None


def test_leaving_deletes_every_row_and_file_of_the_user_and_nothing_of_anyone_else(
    holder, bystander, settings, django_capture_on_commit_callbacks
):
    before = stored_names(settings)
    assert set(holder.photos) <= before and set(bystander.photos) <= before
    user_id = holder.user.pk

    with django_capture_on_commit_callbacks(execute=True):
        response = withdraw(holder.client)

    assert response.status_code == 302
    status_page = holder.client.get(response["Location"])
    assert status_page.status_code == 200
    assert "no-store" in status_page["Cache-Control"]
    assert 'data-status="done"' in status_page.content.decode()
    assert_nothing_of(user_id, holder.photos)
    assert stored_names(settings) == before - set(holder.photos)
    # The other brand keeps everything, its cached thumbnail included.
    assert RecommendationRequest.objects.filter(user=bystander.user).count() == 2
    assert ShortlistEntry.objects.filter(campaign__created_by=bystander.user).count() == 1
    assert SavedInfluencer.objects.filter(user=bystander.user).count() == 1
    assert ApiToken.objects.filter(user=bystander.user).exists()
    assert bystander.client.get("/history/").status_code == 200
    deletion = AccountDeletion.objects.get()
    assert (deletion.status, deletion.user_id, deletion.files_deleted) == (
        DeletionStatus.DONE,
        None,
        2,
    )


def test_the_account_closes_at_once_before_the_job_runs(holder):
    response = withdraw(holder.client)  # the job is queued on commit: not run here

    assert response.status_code == 302
    page = Client().get(response["Location"]).content.decode()
    assert 'data-status="pending"' in page
    holder.user.refresh_from_db()
    assert holder.user.is_active is False
    assert holder.client.get("/history/").status_code == 302  # logged out
    login = Client().post(
        "/accounts/login/", {"username": holder.user.username, "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200 and "_auth_user_id" not in login.client.session
    api = APIClient(HTTP_AUTHORIZATION=f"Token {holder.token}")
    assert api.get("/api/v1/recommendations/").status_code == 401
    token_login = APIClient().post(
        "/api/v1/auth/token/", {"username": holder.user.username, "password": STRONG_PASSWORD}
    )
    assert token_login.status_code == 400


def test_a_wrong_password_keeps_the_account_and_all_its_data(holder, settings):
    before = stored_names(settings)

    response = withdraw(holder.client, password="not-my-password")

    assert response.status_code == 400
    assert "비밀번호가 올바르지 않습니다." in response.content.decode()
    holder.user.refresh_from_db()
    assert holder.user.is_active and not AccountDeletion.objects.exists()
    assert stored_names(settings) == before


def test_the_withdrawal_form_needs_the_confirmation_and_a_csrf_token(holder):
    unconfirmed = holder.client.post("/accounts/withdraw/", {"password": STRONG_PASSWORD})
    assert unconfirmed.status_code == 200 and not AccountDeletion.objects.exists()

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(holder.user)
    refused = withdraw(csrf_client)
    assert refused.status_code == 403 and not AccountDeletion.objects.exists()


def test_a_forged_or_altered_status_link_is_a_404(holder):
    response = withdraw(holder.client)
    link = response["Location"]
    assert Client().get(link).status_code == 200
    assert Client().get(link[:-2] + "xy/").status_code == 404
    assert Client().get("/accounts/deletion/1/").status_code == 404


def test_a_deletion_delivered_twice_deletes_once(holder, settings):
    withdraw(holder.client)
    deletion = AccountDeletion.objects.get()

    account_deletion_run(deletion_id=deletion.pk)
    account_deletion_run(deletion_id=deletion.pk)

    deletion.refresh_from_db()
    assert (deletion.status, deletion.attempts) == (DeletionStatus.DONE, 1)


def test_a_failed_deletion_keeps_everything_and_the_reconciler_finishes_it(
    holder, settings, django_capture_on_commit_callbacks
):
    """A part that fails (a storage or database fault) rolls the whole deletion back; the row
    says failed with the reason and the next reconcile completes it."""
    failures = []

    def failing_once(*, user):
        if not failures:
            failures.append(user.pk)
            raise RuntimeError("database went away")
        return 0

    user_data.user_data_register(
        name="zz_flaky", export=lambda *, user: [], files=lambda *, user: [], delete=failing_once
    )
    try:
        withdraw(holder.client)
        deletion = AccountDeletion.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            account_deletion_run(deletion_id=deletion.pk)
        deletion.refresh_from_db()
        assert deletion.status == DeletionStatus.FAILED
        assert "database went away" in deletion.failure_reason
        assert RecommendationRequest.objects.filter(user=holder.user).count() == 2
        assert all(default_storage.exists(name) for name in holder.photos)

        with django_capture_on_commit_callbacks(execute=True):
            assert account_deletions_reconcile() == 1
    finally:
        user_data._PARTS.pop("zz_flaky")
    deletion.refresh_from_db()
    assert (deletion.status, deletion.attempts) == (DeletionStatus.DONE, 2)
    assert_nothing_of(holder.user.pk, holder.photos)
    assert not any(default_storage.exists(name) for name in holder.photos)


def test_the_api_withdrawal_answers_202_with_a_status_url_and_ends_the_token(
    holder, django_capture_on_commit_callbacks
):
    api = APIClient(HTTP_AUTHORIZATION=f"Token {holder.token}")
    assert api.post("/api/v1/me/withdrawal/", {"password": "wrong"}).status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/me/withdrawal/", {"password": STRONG_PASSWORD})

    assert response.status_code == 202, response.content
    assert api.get("/api/v1/recommendations/").status_code == 401
    status_page = Client().get(response.json()["status_url"])
    assert 'data-status="done"' in status_page.content.decode()
    assert_nothing_of(holder.user.pk, holder.photos)


def test_leaving_removes_every_object_of_the_user_from_the_s3_bucket(
    moto_s3,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    leaving = hold_everything(BrandFactory(username="s3_leaver"))
    staying = hold_everything(BrandFactory(username="s3_stayer"))

    def keys() -> set[str]:
        return {o["Key"] for o in moto_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}

    before = keys()  # moto keeps one store per process: earlier tests' objects may be there
    assert set(leaving.photos) | set(staying.photos) <= before
    with django_capture_on_commit_callbacks(execute=True):
        assert withdraw(leaving.client).status_code == 302

    assert keys() == before - set(leaving.photos)
    assert_nothing_of(leaving.user.pk, leaving.photos)


def test_guessing_the_password_to_leave_is_rate_limited(holder, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_change": "2/hour"}
    for _ in range(2):
        assert withdraw(holder.client, password="guess").status_code == 400
    refused = withdraw(holder.client)  # even the right password, during the lock-out
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    holder.user.refresh_from_db()
    assert holder.user.is_active and not AccountDeletion.objects.exists()


def test_leaving_a_shared_team_hands_ownership_on_and_keeps_the_teams_campaigns(
    django_capture_on_commit_callbacks,
):
    from accounts.teams.choices import TeamAction, TeamRole
    from accounts.teams.models import TeamActivity, TeamMembership
    from accounts.teams.services import team_personal_ensure
    from campaigns.services import campaign_create
    from tests.factories import team_member_add

    owner, manager, viewer = BrandFactory(), BrandFactory(), BrandFactory()
    team = team_personal_ensure(user=owner)
    team_member_add(team, viewer, TeamRole.VIEWER)
    team_member_add(team, manager, TeamRole.MANAGER)
    campaign = campaign_create(
        user=owner, name="공동 캠페인", target_gender="F", target_body_size="M"
    )
    client = Client()
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        assert withdraw(client).status_code == 302

    assert not User.objects.filter(pk=owner.pk).exists()
    campaign.refresh_from_db()
    assert (campaign.team_id, campaign.created_by_id) == (team.pk, None)
    roles = dict(TeamMembership.objects.filter(team=team).values_list("user_id", "role"))
    # The manager, not the viewer who joined earlier, takes the team over.
    assert roles == {manager.pk: TeamRole.OWNER, viewer.pk: TeamRole.VIEWER}
    actions = list(TeamActivity.objects.filter(team=team).values_list("action", flat=True))
    assert TeamAction.OWNERSHIP_TRANSFERRED in actions and TeamAction.LEFT in actions


def test_leaving_deletes_the_team_held_alone_with_its_campaigns(django_capture_on_commit_callbacks):
    from accounts.teams.models import Team
    from accounts.teams.services import team_personal_ensure
    from campaigns.services import campaign_create

    owner = BrandFactory()
    team = team_personal_ensure(user=owner)
    campaign_create(user=owner, name="혼자 캠페인", target_gender="F", target_body_size="M")
    client = Client()
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        assert withdraw(client).status_code == 302

    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Campaign.objects.filter(team_id=team.pk).exists()
