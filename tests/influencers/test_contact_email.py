"""An influencer's contact e-mail: staff set it in admin; a bad address is refused."""

import pytest

from influencers.models import Influencer
from tests.factories import InfluencerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_and_edit_the_contact_email_in_admin(client):
    influencer = InfluencerFactory(handle="mail_me", contact_email="old@mail.example")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/influencers/influencer/{influencer.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="contact_email"' in html and "old@mail.example" in html


def test_a_contact_email_that_is_not_an_address_is_refused():
    from django.core.exceptions import ValidationError

    influencer = InfluencerFactory(handle="bad_mail")
    influencer.contact_email = "not an address"
    with pytest.raises(ValidationError) as caught:
        influencer.full_clean()
    assert "contact_email" in caught.value.message_dict
    assert Influencer.objects.get(pk=influencer.pk).contact_email == ""
