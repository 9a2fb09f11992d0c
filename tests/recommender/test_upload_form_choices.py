"""A consumer's upload form offers only the consumer basis; a brand's offers both."""

import pytest

from recommender.models import RecommendationRequest
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_a_consumers_form_does_not_offer_the_brand_basis(client, consumer, brand):
    client.force_login(consumer)
    page = client.get("/").content.decode()
    assert 'value="consumer"' in page and 'value="brand"' not in page
    client.force_login(brand)
    page = client.get("/").content.decode()
    assert 'value="consumer"' in page and 'value="brand"' in page


def test_a_consumer_posting_the_brand_basis_is_refused_and_nothing_is_stored(client, consumer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(consumer)
    response = client.post(
        "/recommendations/",
        {
            "image": SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
            "mode": "brand",
            "gender": "F",
            "body_size": "M",
            "ranking": "similarity",
        },
    )
    assert response.status_code == 400
    assert "brand" in response.context["form"].errors["mode"][0]
    assert not RecommendationRequest.objects.exists()
