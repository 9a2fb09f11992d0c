"""Fixtures of the catalogue tests."""

import pytest

from tests.fake_cdn import FakeCdn
from tests.fake_graph_api import FakeGraph
from tests.influencers.graph_helpers import GOOD_TOKEN


@pytest.fixture
def graph(settings):
    """A fake Graph API on the loopback, with the settings pointing at it."""
    fake = FakeGraph(tokens=(GOOD_TOKEN,)).start()
    settings.INSTAGRAM_GRAPH_API_URL = fake.url
    settings.INSTAGRAM_BUSINESS_ACCOUNT_ID = fake.account_id
    settings.INSTAGRAM_GRAPH_TOKEN = GOOD_TOKEN
    settings.GRAPH_RETRY_BACKOFF_SECONDS = 0.01
    settings.GRAPH_READ_TIMEOUT = 10
    settings.GRAPH_MEDIA_PAGE_SIZE = 2
    settings.GRAPH_REFRESH_MAX_PAGES = 10
    yield fake
    fake.stop()


@pytest.fixture
def https_cdn(settings, monkeypatch):
    """A fake image CDN serving https on the loopback, trusted through SSL_CERT_FILE (which
    OpenSSL reads for every new default context), with the fetcher's allow-list and loopback
    check widened to it for this test only."""
    server = FakeCdn(tls=True).start()
    monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)
    settings.SAFE_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SAFE_FETCH_ALLOW_LOOPBACK = True
    settings.SAFE_FETCH_TIMEOUT_S = 5.0
    settings.SAFE_FETCH_BACKOFF_S = 0.01
    yield server
    server.stop()
