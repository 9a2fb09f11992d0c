"""Staff access to users' photos is recorded (who, when, which, by what path), and only
superusers read the record, which nobody can edit."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import PrivateMediaAccess
from recommender.services.requests import recommendation_create
from tests.accounts.conftest import upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_client(*codenames: str, superuser=False) -> tuple[Client, object]:
    user = UserFactory(is_staff=True, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def photo(consumer):
    return recommendation_create(user=consumer, image=upload("mine.jpg"), gender="F", body_size="M")


def test_staff_opening_a_users_photo_is_recorded(photo):
    client, staff = staff_client("view_recommendationrequest")

    assert client.get(f"/media/{photo.image.name}").status_code == 200

    access = PrivateMediaAccess.objects.get()
    assert (access.staff, access.staff_username, access.name, access.via) == (
        staff,
        staff.username,
        photo.image.name,
        "media",
    )
    assert access.accessed_at is not None


def test_the_admin_page_showing_the_photo_is_recorded_too(photo):
    client, staff = staff_client("view_recommendationrequest")

    page = client.get(f"/admin/recommender/recommendationrequest/{photo.pk}/change/")

    assert page.status_code == 200 and photo.image.name in page.content.decode()
    assert list(PrivateMediaAccess.objects.values_list("staff", "name", "via")) == [
        (staff.pk, photo.image.name, "admin")
    ]


def test_the_owner_reading_their_own_photo_and_refused_staff_leave_no_record(photo, consumer):
    owner = Client()
    owner.force_login(consumer)
    assert owner.get(f"/media/{photo.image.name}").status_code == 200
    refused, _ = staff_client()  # staff without the view permission
    assert refused.get(f"/media/{photo.image.name}").status_code == 404
    assert not PrivateMediaAccess.objects.exists()


def test_only_superusers_read_the_record_and_nobody_changes_it(photo):
    viewer, _ = staff_client("view_recommendationrequest")
    viewer.get(f"/media/{photo.image.name}")
    access = PrivateMediaAccess.objects.get()
    # Staff holding every permission of the record still cannot see it.
    nosy, _ = staff_client(
        "view_privatemediaaccess", "change_privatemediaaccess", "delete_privatemediaaccess"
    )
    assert nosy.get("/admin/accounts/privatemediaaccess/").status_code == 403
    assert "privatemediaaccess" not in nosy.get("/admin/").content.decode()

    superuser, _ = staff_client(superuser=True)
    listing = superuser.get("/admin/accounts/privatemediaaccess/")
    assert listing.status_code == 200 and photo.image.name in listing.content.decode()
    change_url = f"/admin/accounts/privatemediaaccess/{access.pk}/change/"
    assert superuser.get(change_url).status_code == 200  # read-only view
    edited = superuser.post(change_url, {"staff_username": "someone-else", "name": "x.jpg"})
    assert edited.status_code == 403
    access.refresh_from_db()
    assert access.staff_username != "someone-else"
    assert superuser.get("/admin/accounts/privatemediaaccess/add/").status_code == 403
    deleted = superuser.post(
        f"/admin/accounts/privatemediaaccess/{access.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 403 and PrivateMediaAccess.objects.filter(pk=access.pk).exists()
