"""Links out to Instagram: every card and influencer page links to the profile, every post with a
known permalink or short code to the post; imports keep the permalinks their source gives."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from common.instagram import instagram_permalink_clean
from influencers.models import Post
from influencers.services.imports import posts_import
from tests.factories import InfluencerFactory, UserFactory, classified_post

pytestmark = pytest.mark.django_db

PEOPLE = "user_name,gender,size\nalpha,F,S\n"


def test_a_card_and_the_influencer_page_link_to_the_profile_in_a_new_tab(client: Client):
    InfluencerFactory(handle="real.account_1")
    link = (
        '<a class="tap instagram-link" href="https://www.instagram.com/real.account_1/" '
        'target="_blank" rel="noopener noreferrer">'
    )
    assert link in client.get("/influencers/").content.decode()
    assert link in client.get("/influencers/real.account_1/").content.decode()


def test_a_demo_influencer_has_no_profile_link(client: Client):
    InfluencerFactory(handle="smdemo_one", is_demo=True)
    assert "instagram.com/smdemo_one" not in client.get("/influencers/").content.decode()
    assert "instagram.com" not in client.get("/influencers/smdemo_one/").content.decode()


def test_graph_api_permalinks_are_kept_and_linked_from_the_feed_and_post_page(client: Client):
    media = {
        "data": [
            {
                "id": "17895695668004550",  # a numeric media id: no address without the permalink
                "username": "alpha",
                "caption": "그래프 #원피스",
                "like_count": 40,
                "media_type": "IMAGE",
                "timestamp": "2024-05-01T12:00:00+0000",
                "permalink": "https://www.instagram.com/p/C8abcDEF123/",
            },
            {
                "id": "17895695668004551",
                "username": "alpha",
                "caption": "주소 없음",
                "like_count": 1,
                "media_type": "IMAGE",
                "timestamp": "2024-05-02T12:00:00+0000",
            },
        ]
    }
    report = posts_import(
        posts_data=json.dumps(media).encode(),
        posts_name="media.json",
        influencers_data=PEOPLE.encode(),
        format="graph",
    )
    assert report.posts_created == 2 and not report.errors
    linked = Post.objects.get(instagram_id="17895695668004550")
    assert linked.permalink == "https://www.instagram.com/p/C8abcDEF123/"
    feed = client.get("/influencers/alpha/").content.decode()
    assert feed.count('href="https://www.instagram.com/p/C8abcDEF123/"') == 1
    assert 'target="_blank" rel="noopener noreferrer"' in feed
    post_page = client.get(f"/influencers/alpha/posts/{linked.pk}/").content.decode()
    assert 'href="https://www.instagram.com/p/C8abcDEF123/"' in post_page
    unlinked = Post.objects.get(instagram_id="17895695668004551")
    unlinked_page = client.get(f"/influencers/alpha/posts/{unlinked.pk}/").content.decode()
    assert "instagram.com/p/" not in unlinked_page


def test_a_crawl_table_with_permalinks_fills_them_and_refuses_other_sites():
    posts = (
        "user_name,post_id,text,timestamp,like,video,permalink\n"
        "alpha,a1,첫 글,2024-01-01,1,false,https://www.instagram.com/p/CqX1a2b3C4d/?igsh=x\n"
        "alpha,a2,둘째,2024-01-02,1,false,\n"
        "alpha,a3,나쁜,2024-01-03,1,false,https://evil.example/p/CqX1a2b3C4d/\n"
    )
    report = posts_import(
        posts_data=posts.encode(), posts_name="p.csv", influencers_data=PEOPLE.encode()
    )
    assert report.posts_created == 2
    assert [(e["row"], e["column"], e["code"]) for e in report.errors] == [
        (4, "permalink", "bad_permalink")  # spreadsheet rows: the header is row 1
    ]
    assert Post.objects.get(instagram_id="a1").permalink == (
        "https://www.instagram.com/p/CqX1a2b3C4d/"
    )
    assert Post.objects.get(instagram_id="a2").permalink == ""
    # A file without addresses leaves the stored one alone.
    plain = "user_name,post_id,text,timestamp,like,video\nalpha,a1,첫 글 수정,2024-01-01,1,false\n"
    posts_import(posts_data=plain.encode(), posts_name="p.csv", influencers_data=PEOPLE.encode())
    assert Post.objects.get(instagram_id="a1").permalink.endswith("/p/CqX1a2b3C4d/")


def test_a_short_code_column_is_the_post_id_and_gives_the_posts_address():
    from common.instagram import instagram_post_url

    posts = "username,shortcode,caption,likes\nalpha,CqX1a2b3C4d,첫 글,1\nalpha,../../etc,둘째,1\n"
    posts_import(posts_data=posts.encode(), posts_name="p.csv", influencers_data=PEOPLE.encode())
    post = Post.objects.get(instagram_id="CqX1a2b3C4d")
    assert instagram_post_url(permalink=post.permalink, post_id=post.instagram_id) == (
        "https://www.instagram.com/p/CqX1a2b3C4d/"
    )
    odd = Post.objects.filter(instagram_id="../../etc").first()
    assert (
        odd is None or instagram_post_url(permalink=odd.permalink, post_id=odd.instagram_id) == ""
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://instagram.com/p/g1", "https://www.instagram.com/p/g1/"),
        (
            "http://www.instagram.com/reel/C8abc_-12/?igsh=x",
            "https://www.instagram.com/reel/C8abc_-12/",
        ),
        ("https://www.instagram.com/someone/p/C8abc/", "https://www.instagram.com/p/C8abc/"),
        ("javascript:alert(1)//instagram.com/p/x/", None),
        ("https://evil.example/p/C8abc/", None),
        ("https://instagram.com.evil.example/p/C8abc/", None),
        ("https://www.instagram.com/someone/", None),  # a profile, not a post
    ],
)
def test_only_instagram_post_addresses_are_kept_as_permalinks(value, expected):
    if expected is None:
        with pytest.raises(ValueError):
            instagram_permalink_clean(value)
    else:
        assert instagram_permalink_clean(value) == expected


def test_the_api_gives_the_profile_and_post_addresses():
    influencer = InfluencerFactory(handle="api_links")
    post = classified_post(influencer, "romantic", 5, instagram_id="17890000000000001")
    Post.objects.filter(pk=post.pk).update(permalink="https://www.instagram.com/p/Zz12345678/")
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = api.get("/api/v1/influencers/api_links/").json()
    assert body["instagram_url"] == "https://www.instagram.com/api_links/"
    posts = api.get("/api/v1/influencers/api_links/posts/").json()["results"]
    assert posts[0]["instagram_url"] == "https://www.instagram.com/p/Zz12345678/"


def test_a_recommendation_card_links_to_the_profile(client, consumer):
    from tests.recommender.test_ranking import build
    from tests.recommender.test_result_honesty import done_request

    build("card_account", [("romantic", 10), ("romantic", 20)])
    request = done_request(consumer, "romantic", mode="consumer")
    client.force_login(consumer)
    page = client.get(f"/recommendations/{request.pk}/").content.decode()
    assert 'href="https://www.instagram.com/card_account/"' in page
