"""common.safe_fetch against a fake CDN on the loopback: only allowed hosts and public addresses,
redirects checked one by one, bounded size and time, retries for passing failures."""

import time

import pytest

from common.safe_fetch import FetchPolicy, FetchRefused, address_allowed, host_allowed, url_fetch
from tests.fake_cdn import JPEG, FakeCdn

# The fake CDN answers on 127.0.0.1; the private and metadata addresses are on the list too, so
# that only the address check can refuse them.
TEST_HOSTS = ("127.0.0.1", "10.0.0.7", "169.254.169.254")


@pytest.fixture
def cdn():
    server = FakeCdn().start()
    yield server
    server.stop()


def policy(**overrides) -> FetchPolicy:
    values = {
        "allowed_hosts": TEST_HOSTS,
        "max_bytes": 1024 * 1024,
        "timeout_s": 2.0,
        "retries": 2,
        "backoff_s": 0.01,
        "allow_loopback": True,
    }
    return FetchPolicy(**{**values, **overrides})


def refusal(url: str, **overrides) -> FetchRefused:
    with pytest.raises(FetchRefused) as caught:
        url_fetch(url, policy=policy(**overrides))
    return caught.value


def test_an_allowed_link_is_fetched_whole(cdn):
    fetched = url_fetch(cdn.url("/img/a.jpg?oh=sig&oe=1"), policy=policy())
    assert (fetched.content, fetched.content_type) == (JPEG, "image/jpeg")


def test_an_expired_link_says_so_and_is_not_tried_again(cdn):
    for path, status in (("/expired.jpg", 403), ("/gone.jpg", 410)):
        error = refusal(cdn.url(path))
        assert (error.code, error.status, error.transient) == ("link_expired", status, False)
        assert cdn.hits[path] == 1


def test_a_server_error_is_tried_again_with_back_off_and_then_succeeds(cdn):
    assert url_fetch(cdn.url("/flaky.jpg"), policy=policy(retries=2)).content == JPEG
    assert cdn.hits["/flaky.jpg"] == 3


def test_a_server_that_keeps_failing_is_given_up_after_the_retries(cdn):
    error = refusal(cdn.url("/down.jpg"), retries=2)
    assert (error.code, error.status, error.transient) == ("server_error", 502, True)
    assert cdn.hits["/down.jpg"] == 3


def test_a_slow_body_is_aborted_at_the_time_limit_though_every_byte_comes_quickly(cdn):
    started = time.monotonic()
    error = refusal(cdn.url("/slow.jpg"), timeout_s=0.8, retries=0)
    assert error.code == "timeout"
    assert time.monotonic() - started < 3


def test_an_oversized_body_is_aborted_while_streaming(cdn):
    cdn.oversize = 50 * 1024 * 1024
    assert refusal(cdn.url("/big.jpg"), max_bytes=200_000).code == "too_large"


def test_a_body_cut_short_of_its_announced_length_is_refused_and_tried_again(cdn):
    error = refusal(cdn.url("/truncated.jpg"), retries=1)
    assert (error.code, error.transient) == ("truncated", True)
    assert cdn.hits["/truncated.jpg"] == 2


def test_an_announced_oversized_body_is_refused_before_reading(cdn):
    assert refusal(cdn.url("/announced-big.jpg")).code == "too_large"


@pytest.mark.parametrize("path", ["/to-private.jpg", "/to-metadata.jpg"])
def test_a_redirect_to_a_private_or_metadata_address_is_refused(cdn, path):
    error = refusal(cdn.url(path))
    assert error.code == "address_not_allowed"


def test_a_redirect_off_the_allow_list_is_refused(cdn):
    error = refusal(cdn.url("/to-elsewhere.jpg"))
    assert (error.code, error.params["host"]) == ("host_not_allowed", "example.org")


def test_a_redirect_within_the_allow_list_is_followed(cdn):
    fetched = url_fetch(cdn.url("/to-image.jpg"), policy=policy())
    assert fetched.content == JPEG and fetched.url.endswith("/img/after-redirect.jpg")


def test_a_redirect_loop_ends_at_the_redirect_limit(cdn):
    assert refusal(cdn.url("/loop.jpg"), max_redirects=3).code == "too_many_redirects"
    assert cdn.hits["/loop.jpg"] == 4


def test_the_loopback_is_refused_unless_the_test_setting_allows_it(cdn):
    error = refusal(cdn.url("/img/a.jpg"), allow_loopback=False)
    assert error.code == "address_not_allowed"
    assert cdn.hits["/img/a.jpg"] == 0


def test_a_host_off_the_allow_list_is_never_resolved_or_requested(cdn):
    error = refusal(cdn.url("/img/a.jpg"), allowed_hosts=("*.cdninstagram.com",))
    assert error.code == "host_not_allowed" and cdn.hits["/img/a.jpg"] == 0


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/a.jpg", "file:///etc/passwd", "http://user:pw@127.0.0.1/a.jpg", "nonsense"],
)
def test_what_is_no_http_link_is_refused(url):
    assert refusal(url).code == "bad_url"


def test_the_default_allow_list_is_instagrams_and_facebooks_cdns(settings):
    from config.settings import files_and_storages

    # The test settings empty the list (no test reaches an outside host): read the default.
    settings.SAFE_FETCH_ALLOWED_HOSTS = files_and_storages.SAFE_FETCH_ALLOWED_HOSTS
    allowed = FetchPolicy.from_settings().allowed_hosts
    assert host_allowed("scontent-ssn1-1.cdninstagram.com", allowed)
    assert host_allowed("SCONTENT.XX.FBCDN.NET", allowed)
    assert not host_allowed("cdninstagram.com.attacker.example", allowed)
    assert not host_allowed("fbcdn.net.example", allowed)
    assert FetchPolicy.from_settings().allow_loopback is False


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "ff02::1",
    ],
)
def test_no_inside_address_passes_the_check(address):
    assert not address_allowed(address)


def test_public_addresses_pass_the_check():
    assert address_allowed("157.240.22.63") and address_allowed("2a03:2880:f12f:83:face:b00c::25de")
