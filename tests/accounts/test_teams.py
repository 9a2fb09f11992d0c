"""Teams: invitations (signed, single-use, expiring, bound to the invited address), roles, the
last owner, removal that ends access at once, and the activity list with its retention."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from accounts.tasks import team_activity_prune_task
from accounts.teams import selectors, services
from accounts.teams.choices import TeamAction, TeamRole
from accounts.teams.models import TeamActivity, TeamInvitation, TeamMembership
from accounts.tokens import api_token_create
from campaigns import services as campaign_services
from common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from tests.conftest import free_port
from tests.factories import STRONG_PASSWORD, BrandFactory, UserFactory, team_member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return BrandFactory(username="lead", brand_name="봄브랜드", email="lead@example.com")


@pytest.fixture
def team(owner):
    return services.team_personal_ensure(user=owner)


@pytest.fixture
def invite(team, owner):
    """Invite (as the owner) and return the link's token, read from the e-mail that was sent."""

    def send(email="kim@example.com", role=TeamRole.MANAGER) -> str:
        mail.outbox.clear()
        services.team_member_invite(
            team=team,
            actor=owner,
            email=email,
            role=role,
            link_for=lambda t: f"http://testserver/teams/invitations/{t}/",
        )
        (message,) = mail.outbox
        assert message.to == [email]
        return re.search(r"/teams/invitations/([^/\s]+)/", message.body).group(1)

    return send


def test_a_brand_account_gets_a_one_person_team_named_after_the_brand(owner, team):
    assert team.name == "봄브랜드"
    assert list(team.memberships.values_list("user__username", "role")) == [("lead", "owner")]


def test_consumers_have_no_team(consumer):
    assert services.team_personal_ensure(user=consumer) is None


def test_an_invitation_is_accepted_once_by_the_invited_address(team, owner):
    mail.outbox.clear()
    services.team_member_invite(
        team=team,
        actor=owner,
        email="Kim@Example.com",
        role=TeamRole.MANAGER,
        link_for=lambda t: f"http://testserver/teams/invitations/{t}/",
    )
    token = re.search(r"/teams/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    kim = BrandFactory(email="kim@example.com")
    membership = services.team_invitation_accept(user=kim, token=token)
    assert (membership.team, membership.role) == (team, TeamRole.MANAGER)
    with pytest.raises(ApplicationError) as used:
        services.team_invitation_accept(user=kim, token=token)
    assert used.value.code == "invitation_used"
    assert TeamMembership.objects.filter(team=team, user=kim).count() == 1


def test_another_address_cannot_use_the_link(team, owner, invite):
    token = invite(email="kim@example.com")
    with pytest.raises(ApplicationError) as refused:
        services.team_invitation_accept(user=BrandFactory(email="lee@example.com"), token=token)
    assert refused.value.code == "invitation_email_mismatch"
    assert "k***@example.com" in refused.value.message
    assert TeamInvitation.objects.get().is_open  # still there for the right person


def test_a_consumer_is_told_teams_are_for_brands(team, owner, invite):
    token = invite(email="c@example.com")
    with pytest.raises(PermissionDeniedError):
        services.team_invitation_accept(user=UserFactory(email="c@example.com"), token=token)


def test_an_expired_link_says_so(team, owner, settings, invite):
    token = invite()
    settings.TEAM_INVITATION_MAX_AGE = -1
    with pytest.raises(ApplicationError) as expired:
        services.team_invitation_accept(user=BrandFactory(email="kim@example.com"), token=token)
    assert expired.value.code == "invitation_expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "not-a-token",
        lambda t: signing.dumps({"i": 1, "e": "kim@example.com"}),  # signed, for another salt
        lambda t: "",
    ],
)
def test_an_altered_or_foreign_token_looks_like_no_invitation(team, owner, tamper, invite):
    token = invite()
    with pytest.raises(NotFoundError):
        services.team_invitation_accept(
            user=BrandFactory(email="kim@example.com"), token=tamper(token)
        )


def test_a_cancelled_or_replaced_invitation_no_longer_works(team, owner, invite):
    first = invite()
    second = invite()  # the same address again: the newest link is the one
    kim = BrandFactory(email="kim@example.com")
    with pytest.raises(ApplicationError) as old:
        services.team_invitation_accept(user=kim, token=first)
    assert old.value.code == "invitation_cancelled"
    invitation = TeamInvitation.objects.get(accepted_at=None, cancelled_at=None)
    services.team_invitation_cancel(team=team, actor=owner, invitation_id=invitation.pk)
    with pytest.raises(ApplicationError):
        services.team_invitation_accept(user=kim, token=second)


def test_the_owner_cannot_invite_as_owner_or_invite_a_member(team, owner, invite):
    with pytest.raises(ApplicationError):
        invite(role=TeamRole.OWNER)
    with pytest.raises(ApplicationError) as member:
        invite(email="LEAD@example.com")
    assert member.value.code == "already_member"


def test_the_invitation_page_walks_an_anonymous_visitor_through_sign_up(team, owner, invite):
    token = invite(email="new@example.com", role=TeamRole.VIEWER)
    client = Client()
    page = client.get(f"/teams/invitations/{token}/")
    assert page.status_code == 200 and "봄브랜드" in page.content.decode()
    signup = page.context["signup_url"]
    assert signup.startswith("/accounts/signup/?") and "role=brand" in signup
    response = client.post(
        signup,
        {
            "role": "brand",
            "username": "newbie",
            "email": "new@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "brand_name": "에이전시",
            "policy_agreed": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/teams/invitations/{token}/"
    joined = client.post(f"/teams/invitations/{token}/")
    assert joined.status_code == 302 and joined["Location"] == f"/teams/{team.pk}/"
    assert team.memberships.get(user__username="newbie").role == TeamRole.VIEWER
    assert client.get(f"/teams/invitations/{token}/").status_code == 410  # used: says so


def test_sign_up_never_sends_anyone_to_another_site(client):
    response = client.post(
        "/accounts/signup/?next=https://evil.example/",
        {
            "role": "brand",
            "username": "someone",
            "email": "s@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "brand_name": "x",
            "policy_agreed": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_last_owner_cannot_leave_be_demoted_or_removed(team, owner):
    own = team.memberships.get(user=owner)
    for attempt in (
        lambda: services.team_leave(team=team, user=owner),
        lambda: services.team_member_role_change(
            team=team, actor=owner, membership_id=own.pk, role=TeamRole.VIEWER
        ),
        lambda: services.team_member_remove(team=team, actor=owner, membership_id=own.pk),
    ):
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == "last_owner"
    assert team.memberships.get(user=owner).role == TeamRole.OWNER


def test_ownership_is_handed_over_and_then_the_old_owner_may_leave(team, owner):
    kim = BrandFactory()
    membership = team_member_add(team, kim, TeamRole.MANAGER)
    services.team_ownership_transfer(team=team, actor=owner, membership_id=membership.pk)
    roles = dict(team.memberships.values_list("user__username", "role"))
    assert roles == {owner.username: TeamRole.MANAGER, kim.username: TeamRole.OWNER}
    services.team_leave(team=team, user=owner)
    assert list(team.memberships.values_list("user", flat=True)) == [kim.pk]


def test_a_removed_member_loses_every_object_at_once_on_pages_and_api(team, owner):
    kim = BrandFactory()
    membership = team_member_add(team, kim, TeamRole.MANAGER)
    campaign = campaign_services.campaign_create(
        user=owner, name="공유 캠페인", target_gender="F", target_body_size="M"
    )
    page = Client()
    page.force_login(kim)
    _, token = api_token_create(user=kim)
    api = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert page.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert Client().get(f"/api/v1/campaigns/{campaign.pk}/", **api).status_code == 200

    services.team_member_remove(team=team, actor=owner, membership_id=membership.pk)

    # The same logged-in session and the same token: nothing cached, nothing left.
    assert page.get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert page.get(f"/teams/{team.pk}/").status_code == 404
    assert Client().get(f"/api/v1/campaigns/{campaign.pk}/", **api).status_code == 404
    listed = Client().get("/api/v1/campaigns/", **api).json()["results"]
    assert campaign.pk not in [c["id"] for c in listed]


def test_a_manager_is_refused_member_actions_by_the_services_too(team, owner):
    kim = BrandFactory()
    kim_membership = team_member_add(team, kim, TeamRole.MANAGER)
    own = team.memberships.get(user=owner)
    with pytest.raises(PermissionDeniedError):
        services.team_member_remove(team=team, actor=kim, membership_id=own.pk)
    with pytest.raises(PermissionDeniedError):
        services.team_member_role_change(
            team=team, actor=kim, membership_id=kim_membership.pk, role=TeamRole.OWNER
        )
    with pytest.raises(NotFoundError):  # an outsider: as if there were no team
        services.team_member_remove(team=team, actor=BrandFactory(), membership_id=own.pk)


def test_a_member_id_from_another_team_is_not_found(team, owner):
    other = services.team_personal_ensure(user=BrandFactory())
    foreign = other.memberships.get()
    with pytest.raises(NotFoundError):
        services.team_member_remove(team=team, actor=owner, membership_id=foreign.pk)
    assert other.memberships.exists()


def test_the_activity_list_names_who_did_what(team, owner, client, invite):
    kim = BrandFactory(username="kim", email="kim@example.com")
    token = invite()
    services.team_invitation_accept(user=kim, token=token)
    kim_membership = team.memberships.get(user=kim)
    services.team_member_role_change(
        team=team, actor=owner, membership_id=kim_membership.pk, role=TeamRole.VIEWER
    )
    services.team_member_remove(team=team, actor=owner, membership_id=kim_membership.pk)
    rows = list(
        TeamActivity.objects.filter(team=team).order_by("id").values_list("actor_name", "action")
    )
    assert rows == [
        ("lead", TeamAction.INVITED),
        ("kim", TeamAction.JOINED),
        ("lead", TeamAction.ROLE_CHANGED),
        ("lead", TeamAction.REMOVED),
    ]
    client.force_login(owner)
    page = client.get(f"/teams/{team.pk}/").content.decode()  # Korean by default
    assert "kim@example.com" in page and "멤버를 내보냄" in page and "역할을 바꿈" in page
    assert "(매니저 → 뷰어)" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert '<strong>lead</strong> removed: <span class="activity-subject">kim</span>' in page
    assert "(Manager → Viewer)" in page  # the role codes, in the reader's language


def test_activity_older_than_the_retention_is_pruned_by_the_beat_job(team, owner, settings):
    settings.TEAM_ACTIVITY_RETENTION_DAYS = 90
    old = services.team_activity_record(team=team, actor=owner, action=TeamAction.EXPORTED)
    recent = services.team_activity_record(team=team, actor=owner, action=TeamAction.EXPORTED)
    TeamActivity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    TeamActivity.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=89))
    assert team_activity_prune_task.delay().get() == 1
    assert list(TeamActivity.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "accounts.tasks.team_activity_prune_task" in [
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    ]


def test_a_team_membership_check_reads_the_database_every_time(team, owner):
    kim = BrandFactory()
    membership = team_member_add(team, kim, TeamRole.VIEWER)
    assert selectors.team_get_for_member(user=kim, team_id=team.pk) == team
    TeamMembership.objects.filter(pk=membership.pk).delete()
    with pytest.raises(NotFoundError):
        selectors.team_get_for_member(user=kim, team_id=team.pk)


def test_the_teams_a_user_holds_alone_are_those_without_anyone_else(team, owner):
    shared = services.team_create(owner=owner, name="공동 팀")
    team_member_add(shared, BrandFactory(), TeamRole.VIEWER)
    other = services.team_personal_ensure(user=BrandFactory())
    team_member_add(other, owner, TeamRole.MANAGER)
    assert list(selectors.team_list_held_alone(user=owner)) == [team]


def test_the_team_api_lists_members_and_activity_to_a_member(team, owner, client):
    kim = BrandFactory(username="kim")
    team_member_add(team, kim, TeamRole.VIEWER)
    services.team_activity_record(team=team, actor=owner, action=TeamAction.EXPORTED, subject="x")
    client.force_login(kim)
    body = client.get(f"/api/v1/teams/{team.pk}/").json()
    assert body["role"] == "viewer"
    assert [(m["username"], m["role"]) for m in body["members"]] == [
        ("lead", "owner"),
        ("kim", "viewer"),
    ]
    assert body["activity"][0] == {
        "by": "lead",
        "action": "exported",
        "subject": "x",
        "change": {},
        "created_at": body["activity"][0]["created_at"],
    }


@pytest.mark.parametrize(
    "email",
    ["not-an-address", "a@b", "x" * 250 + "@example.com", "", "kim@example.com\nBcc: x@y.z"],
)
def test_a_bad_address_is_a_form_error_and_invites_no_one(team, owner, client, email):
    client.force_login(owner)
    response = client.post(f"/teams/{team.pk}/invite/", {"email": email, "role": "manager"})
    assert response.status_code == 400 and response.context["invite_form"].errors
    with pytest.raises(ApplicationError) as refused:
        services.team_member_invite(
            team=team, actor=owner, email=email, role="manager", link_for=lambda t: t
        )
    assert refused.value.code == "invalid_email"
    assert not TeamInvitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("role", ["admin", "", "OWNER"])
def test_an_unknown_role_changes_nothing_and_says_so(team, owner, client, role):
    kim = team_member_add(team, BrandFactory(), TeamRole.VIEWER)
    client.force_login(owner)
    response = client.post(
        f"/teams/{team.pk}/members/{kim.pk}/role/", {f"member-{kim.pk}-role": role}, follow=True
    )
    assert "알 수 없는 역할입니다." in response.content.decode()
    kim.refresh_from_db()
    assert kim.role == TeamRole.VIEWER


def test_the_last_owner_leaving_from_the_page_is_told_to_hand_over(team, owner, client):
    client.force_login(owner)
    response = client.post(f"/teams/{team.pk}/leave/", follow=True)
    assert "먼저 다른 멤버에게 소유권을 넘기세요" in response.content.decode()
    assert team.memberships.filter(user=owner, role=TeamRole.OWNER).exists()


def test_when_the_mail_server_is_down_nothing_is_saved_and_the_owner_is_told(
    team, owner, client, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/teams/{team.pk}/invite/", {"email": "kim@example.com", "role": "manager"}
    )
    assert response.status_code == 400
    assert "could not be sent; nothing was saved" in response.content.decode()
    assert not TeamInvitation.objects.exists()
    assert not TeamActivity.objects.filter(action=TeamAction.INVITED).exists()
