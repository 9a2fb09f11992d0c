"""The exports people really have (issue 23): each imports as it is, found from its content, with
no influencers file; a file that cannot import says what it lacks and what it has."""

import csv
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from influencers.imports import ImportFileError
from influencers.imports.fields import FIELD_ALIASES, GENERATED_ID_PREFIX, post_id_generate
from influencers.models import Influencer, Post, PostImageLink
from influencers.services.imports import posts_import
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in this thread: later tests expect the default."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(data, name="export.dat", **kwargs):
    """An import as a new user runs one: the posts file alone, its name telling nothing."""
    return posts_import(posts_data=data, posts_name=name, **kwargs)


def posts() -> dict[str, Post]:
    return {p.instagram_id: p for p in Post.objects.select_related("influencer")}


def links(post_id: str) -> list[str]:
    return list(
        PostImageLink.objects.filter(post__instagram_id=post_id)
        .order_by("position")
        .values_list("url", flat=True)
    )


# --- 1. Apify Instagram Scraper ---------------------------------------------------------------


def test_an_apify_scraper_json_export_imports_as_it_is_with_its_account_created():
    report = run(fixture("apify_instagram_scraper.json"))
    assert (report.format, report.errors, report.posts_created) == ("apify", [], 3)
    assert (report.influencers_created, report.influencers_needing_curation) == (1, 1)
    found = posts()
    image, album, video = found["DAx1Img"], found["DAx2Car"], found["DAx3Vid"]
    assert image.influencer.handle == "example_look"
    assert image.influencer.display_name == "예시 룩"
    assert (image.influencer.gender, image.influencer.body_size) == ("", "")
    assert image.caption == "봄 코디 🌸\n#데일리룩 #ootd" and image.likes == 1520
    assert timezone.localtime(image.posted_at).isoformat() == "2024-03-01T12:00:00+09:00"
    assert (album.likes, album.likes_imputed, album.is_sponsored) == (None, True, True)
    assert (image.is_video, album.is_video, video.is_video) == (False, False, True)
    # The images are links: kept in order, cover first, to be fetched
    assert [u.split("?")[0].rsplit("/", 1)[1] for u in links("DAx2Car")] == [
        "car1.jpg",
        "car2.jpg",
    ]
    assert links("DAx1Img")[0].startswith("https://scontent-ssn1-1.cdninstagram.com/")
    assert report.image_links_queued == 3


def apify_csv(items: list[dict]) -> bytes:
    """The dataset as Apify's CSV export writes it: nested values flattened into `a/0/b` headers."""

    def flat(value, prefix=""):
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                out.update(flat(v, f"{prefix}/{k}" if prefix else k))
            return out
        if isinstance(value, list):
            out = {}
            for n, v in enumerate(value):
                out.update(flat(v, f"{prefix}/{n}"))
            return out
        return {prefix: value}

    rows = [flat(item) for item in items]
    headers = sorted({k for row in rows for k in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, headers)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_apifys_csv_export_with_flattened_headers_imports_the_same_posts_as_its_json():
    items = json.loads(fixture("apify_instagram_scraper.json"))
    data = apify_csv(items)
    assert b"childPosts/1/displayUrl" in data
    report = run(data)
    assert (report.format, report.errors, report.posts_created) == ("apify", [], 3)
    from_csv = {k: (p.caption, p.likes, p.is_video) for k, p in posts().items()}
    csv_links = links("DAx2Car")
    Post.objects.all().delete()
    run(fixture("apify_instagram_scraper.json"))
    assert {k: (p.caption, p.likes, p.is_video) for k, p in posts().items()} == from_csv
    assert links("DAx2Car") == csv_links


def test_apifys_csv_export_as_stored_imports_with_its_quoted_captions_albums_and_hidden_likes():
    # As Apify's CSV export lays a dataset out: a UTF-8 BOM, every nested value flattened into
    # its own column (childPosts/0/displayUrl, images/0, latestComments/0/text, hashtags/1),
    # columns sorted, multi-line captions quoted with their quotes doubled. Invented accounts;
    # the CDN links are never fetched here.
    data = fixture("apify_instagram_scraper.csv")
    header = data.decode("utf-8-sig").split("\n", 1)[0].split(",")
    assert header == sorted(header)
    assert {"childPosts/2/displayUrl", "images/0", "latestComments/1/text"} <= set(header)
    report = run(data, name="dataset_instagram-scraper_2024-10-08.csv")
    assert (report.format, report.encoding, report.errors) == ("apify", "UTF-8 (BOM)", [])
    assert (report.posts_created, report.influencers_created) == (4, 2)
    found = posts()
    image, album, video, other = (
        found[c] for c in ("DBm0ck1Img", "DBm0ck2Car", "DBm0ck3Vid", "DBm0ck4Img")
    )
    assert image.caption == '봄 코디 🌸\n"원피스" 하나로 끝, 진짜로\n#데일리룩 #ootd'
    assert (image.likes, image.is_video, image.permalink) == (
        1520,
        False,
        "https://www.instagram.com/p/DBm0ck1Img/",
    )
    assert timezone.localtime(image.posted_at).isoformat() == "2024-10-02T19:00:00+09:00"
    assert image.influencer.display_name == "목 데일리 | Mock Daily"
    assert (album.likes, album.likes_imputed, album.is_sponsored) == (None, True, True)
    assert album.caption == "#협찬 세 벌, 세 가지 무드\n\n1) 출근 2) 주말 3) 데이트 💼👟💐"
    assert [u.split("?")[0].rsplit("_", 3)[1] for u in links("DBm0ck2Car")] == [
        "1102030405060702",
        "1102030405060703",
        "1102030405060704",
    ]
    assert (video.is_video, video.caption, video.likes) == (True, '주말 릴스 🎬 "GRWM"', 310)
    assert links("DBm0ck3Vid")[0].split("?")[0].endswith("1234567890123456705_n.jpg")  # cover
    assert (other.influencer.handle, other.caption) == (
        "mock.street_lab",
        'Layering 101 — "less is more" 🧥\n#streetstyle #fw24',
    )
    assert report.image_links_queued == 4
    again = run(data)
    assert (again.posts_created, again.posts_updated, again.posts_unchanged) == (0, 0, 4)


def test_reimporting_an_apify_export_changes_nothing_and_keeps_its_links():
    run(fixture("apify_instagram_scraper.json"))
    first = set(PostImageLink.objects.values_list("pk", flat=True))
    again = run(fixture("apify_instagram_scraper.json"))
    assert (again.posts_created, again.posts_updated, again.posts_unchanged) == (0, 0, 3)
    assert set(PostImageLink.objects.values_list("pk", flat=True)) == first


def test_an_apify_item_without_an_owner_is_a_bad_row_and_the_others_import():
    items = json.loads(fixture("apify_instagram_scraper.json"))
    items.append({"url": "https://www.instagram.com/p/DAx9Err/", "error": "not_found"})
    report = run(json.dumps(items).encode())
    assert report.posts_created == 3
    assert [(e["row"], e["column"]) for e in report.errors] == [(4, "ownerusername")]


# --- 2. Graph API business_discovery ---------------------------------------------------------


def test_a_business_discovery_answer_without_username_is_refused_with_what_to_do():
    with pytest.raises(ImportFileError) as caught:
        run(fixture("graph_business_discovery_without_username.json"))
    message = caught.value.message
    assert "add username to the fields" in message and "name the account" in message
    assert caught.value.code == "account_unknown"
    assert not Post.objects.exists() and not Influencer.objects.exists()


def test_a_business_discovery_answer_named_with_its_account_imports_with_its_profile():
    report = run(
        fixture("graph_business_discovery_without_username.json"), account="@example_studio"
    )
    assert (report.format, report.errors, report.posts_created) == ("graph", [], 2)
    studio = Influencer.objects.get()
    assert (studio.handle, studio.display_name, studio.followers, studio.media_count) == (
        "example_studio",
        "Example Studio",
        48200,
        812,
    )
    assert studio.bio == "서울 데일리룩 | 협업 문의 DM"
    assert links("17900000000000101") == ["https://scontent.xx.fbcdn.net/v/t51/a.jpg?oh=1"]
    assert links("17900000000000102") == ["https://scontent.xx.fbcdn.net/v/t51/b.jpg?oh=2"]


def test_a_business_discovery_answer_with_username_needs_no_account():
    answer = json.loads(fixture("graph_business_discovery_without_username.json"))
    answer["business_discovery"]["username"] = "example_studio"
    report = run(json.dumps(answer).encode())
    assert report.posts_created == 2
    assert Influencer.objects.get().handle == "example_studio"


def test_the_command_takes_the_account_for_a_business_discovery_answer(tmp_path):
    path = tmp_path / "answer.json"
    path.write_bytes(fixture("graph_business_discovery_without_username.json"))
    out = io.StringIO()
    call_command("import_posts", str(path), "--account", "example_studio", stdout=out)
    assert "2 created" in out.getvalue() and "(graph)" in out.getvalue()


# --- 3. a Korean reels crawler's CSV ----------------------------------------------------------


def test_a_korean_reels_crawler_csv_imports_with_ids_and_kinds_from_its_links():
    report = run(fixture("reels_crawler_ko.csv"))
    assert (report.format, report.errors, report.posts_created) == ("crawl", [], 3)
    assert report.columns == {
        "user_name": "username",
        "permalink": "url",
        "text": "title",
        "timestamp": "uploaded_at",
        "like": "like_count",
        "comments": "comment_count",
        "followers": "follower_count",
    }
    found = posts()
    assert sorted(found) == ["C9postAa3", "C9reelAa1", "C9reelAa2"]
    assert (found["C9reelAa1"].is_video, found["C9postAa3"].is_video) == (True, False)
    assert found["C9reelAa1"].likes == 1204
    assert timezone.localtime(found["C9reelAa2"].posted_at).isoformat() == (
        "2024-10-04T08:10:00+09:00"
    )
    reels = Influencer.objects.get()
    assert (reels.handle, reels.followers, reels.gender) == ("example.reels", 153000, "")


# --- 4. instaloader posts through pandas: no post id, no date ---------------------------------


def test_a_pandas_table_without_post_ids_or_dates_imports_with_stable_ids():
    report = run(fixture("instaloader_pandas.csv"))
    assert (report.errors, report.posts_created) == ([], 3)
    found = Post.objects.order_by("likes")
    assert all(p.instagram_id.startswith(GENERATED_ID_PREFIX) for p in found)
    assert all(p.posted_at is None for p in found)  # kept; left out of views by month
    assert found.get(likes=523).instagram_id == post_id_generate(
        "example_daily", "오늘의 코디 #ootd"
    )
    # the Hastag column's tags the caption lacks are added on a last line
    assert found.get(likes=523).caption == "오늘의 코디 #ootd\n#데일리룩"
    assert found.get(likes=211).caption == "카페 나들이\n#카페 #주말"
    again = run(fixture("instaloader_pandas.csv"))
    assert (again.posts_created, again.posts_unchanged) == (0, 3)


def test_the_generated_id_follows_account_and_caption_not_the_row_order_or_case():
    text = fixture("instaloader_pandas.csv").decode()
    run(text.encode())
    ids = set(Post.objects.values_list("instagram_id", flat=True))
    header, first, second, third = text.split("\n", 3)
    # the rows in another order, the account written in capitals: the same posts
    moved = "\n".join([header, third, second, first]).replace("example_daily", "Example_Daily")
    again = run(moved.encode())
    assert (again.errors, again.posts_created) == ([], 0)
    assert set(Post.objects.values_list("instagram_id", flat=True)) == ids


# --- 5. a Korean hashtag crawl: no account, no date, no likes ---------------------------------


def test_a_hashtag_crawl_without_account_or_likes_is_refused_naming_what_it_lacks_and_has():
    with pytest.raises(ImportFileError) as caught:
        run(fixture("hashtag_crawl_ko.csv"))
    error = caught.value
    assert error.code == "missing_columns"
    assert error.extra["missing"] == ["user_name", "like"]
    assert error.extra["columns"] == ["hash_tag", "id", "text"]
    assert "Its columns are: hash_tag, id, text" in error.message
    assert "--account" in error.message and "not found (optional): timestamp" in error.message
    assert not Post.objects.exists() and not Influencer.objects.exists()


def test_a_refusal_names_the_nearest_alias_of_a_misspelt_column():
    data = b"username,shortcode,caption,like_cnt\nexample_look,C1,hi,3\n"
    with pytest.raises(ImportFileError) as caught:
        run(data)
    assert caught.value.extra["suggestions"] == {
        "like": {"column": "like_cnt", "alias": "like_count"}
    }
    assert "nearest: 'like_cnt'" in caught.value.message
    # the nearest alias first among every alias the field accepts
    assert caught.value.extra["accepted"]["like"][0] == "like_count"
    assert "accepted: like_count, like, likes, likes_count, 좋아요" in caught.value.message


def test_a_hashtag_crawl_refusal_names_every_alias_of_each_missing_field_in_the_readers_language():
    from django.utils import translation

    from influencers.imports.fields import missing_columns_text

    with pytest.raises(ImportFileError) as caught:
        run(fixture("hashtag_crawl_ko.csv"), name="hashtag_crawl.csv")
    error = caught.value
    assert error.extra["suggestions"] == {}  # no column is close to an account or a like count
    for field in ("user_name", "like"):
        assert error.extra["accepted"][field] == list(FIELD_ALIASES[field])
        assert f"{field} (accepted: {', '.join(FIELD_ALIASES[field])})" in error.message
    with translation.override("ko"):
        korean = missing_columns_text(error.extra)
    assert korean.startswith("hashtag_crawl.csv 파일에 필요한 항목이 없습니다: user_name (받는 열")
    assert "아이디, 계정, 작성자" in korean and "좋아요, 좋아요 수" in korean
    assert "파일의 열: hash_tag, id, text." in korean and "--account" in korean
    assert "없는 선택 항목: timestamp." in korean
    with translation.override("en"):
        assert missing_columns_text(error.extra) == error.message


def test_an_import_job_refused_by_a_worker_reads_in_each_readers_language(
    client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from influencers.models import ImportJob
    from influencers.services.import_jobs import import_job_run
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/admin/influencers/influencer/import/",
            {
                "posts_file": SimpleUploadedFile("tags.csv", fixture("hashtag_crawl_ko.csv")),
                "format": "auto",
            },
        )
    with translation.override("ko"):  # the worker's language is the site's
        job = import_job_run(job_id=ImportJob.objects.get().pk)
    assert job.status == "failed" and job.report["refusal"]["missing"] == ["user_name", "like"]
    url = f"/admin/influencers/influencer/import/{job.pk}/"
    client.cookies["django_language"] = "en"
    assert "tags.csv lacks the field(s) user_name (accepted: " in client.get(url).content.decode()
    client.cookies["django_language"] = "ko"
    page = client.get(url).content.decode()
    assert "tags.csv 파일에 필요한 항목이 없습니다" in page and "좋아요 수" in page
    # the preview says it in the reader's language too
    preview = client.post(
        "/admin/influencers/influencer/import/preview/",
        {
            "posts_file": SimpleUploadedFile("tags.csv", fixture("hashtag_crawl_ko.csv")),
            "format": "auto",
        },
    ).content.decode()
    assert "tags.csv 파일에 필요한 항목이 없습니다" in preview


# --- the alias table -------------------------------------------------------------------------


def test_korean_headers_are_read_whatever_their_spacing_and_case():
    data = (
        "아이디,본문,작성일,좋아요 수,링크,해시태그\n"
        "example_kr,봄 신상,2024. 3. 1. 오후 1:00:00,1.2만,https://www.instagram.com/p/KRpost1/,#봄\n"
    ).encode("cp949")
    report = run(data)
    assert (report.errors, report.encoding) == ([], "CP949")
    post = Post.objects.get()
    assert (post.instagram_id, post.likes, post.caption) == ("KRpost1", 12000, "봄 신상\n#봄")
    assert report.columns["like"] == "좋아요 수"
    spaced = b"User Name,Post ID,CAPTION,Like Count\nexample_en,EN1,hello,7\n"
    assert run(spaced).posts_created == 1


def alias_workbook(header: list[str], rows: list[list]) -> bytes:
    """A workbook as a spreadsheet keeps one: text cells, number cells and date cells."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def imported_posts() -> set[tuple]:
    return {
        (
            p.influencer.handle,
            p.instagram_id,
            p.caption,
            p.likes,
            p.is_video,
            timezone.localtime(p.posted_at).isoformat(),
        )
        for p in Post.objects.select_related("influencer")
    }


KOREAN_ALIAS_HEADER = ["아이디", "본문", "작성일", "좋아요 수", "링크"]
ENGLISH_ALIAS_HEADER = ["Username", "Caption", "uploaded_at", "like_count", "url"]


@pytest.mark.parametrize(
    "header,rows,as_csv,expected",
    [
        (
            KOREAN_ALIAS_HEADER,
            [
                ["example_kr", "봄 신상\n#데일리룩", "2024. 3. 1. 오후 1:00:00", "1.2만",
                 "https://www.instagram.com/p/KRpost1/"],
                ["example_kr", "출근룩 릴스", dt.datetime(2024, 3, 2, 8, 30), 523,
                 "https://www.instagram.com/reel/KRreel2/"],
            ],
            # The same sheet saved by Korean Excel as "CSV": CP949, CRLF between records, a
            # cell's line break as LF inside quotes, the date as the sheet shows it, and the
            # empty rows Excel leaves at the end
            (
                "아이디,본문,작성일,좋아요 수,링크\r\n"
                'example_kr,"봄 신상\n#데일리룩",2024. 3. 1. 오후 1:00:00,1.2만,'
                "https://www.instagram.com/p/KRpost1/\r\n"
                "example_kr,출근룩 릴스,2024-03-02 8:30,523,https://www.instagram.com/reel/KRreel2/\r\n"
                ",,,,\r\n"
            ).encode("cp949"),
            {
                ("example_kr", "KRpost1", "봄 신상\n#데일리룩", 12000, False,
                 "2024-03-01T13:00:00+09:00"),
                ("example_kr", "KRreel2", "출근룩 릴스", 523, True, "2024-03-02T08:30:00+09:00"),
            },
        ),
        (
            ENGLISH_ALIAS_HEADER,
            [
                ["example_en", 'Weekend fit 😎\n"cozy" layers', "2024-05-01 12:00:00", "1,204",
                 "https://www.instagram.com/p/ENpost1/"],
                ["example_en", "GRWM", dt.datetime(2024, 5, 2, 20, 0), 88,
                 "https://www.instagram.com/reel/ENreel2/"],
            ],
            (
                "Username,Caption,uploaded_at,like_count,url\n"
                'example_en,"Weekend fit 😎\n""cozy"" layers",2024-05-01 12:00:00,"1,204",'
                "https://www.instagram.com/p/ENpost1/\n"
                "example_en,GRWM,2024-05-02 20:00:00,88,https://www.instagram.com/reel/ENreel2/\n"
            ).encode(),
            {
                ("example_en", "ENpost1", 'Weekend fit 😎\n"cozy" layers', 1204, False,
                 "2024-05-01T12:00:00+09:00"),
                ("example_en", "ENreel2", "GRWM", 88, True, "2024-05-02T20:00:00+09:00"),
            },
        ),
    ],
    ids=["korean-headers", "english-headers"],
)  # fmt: skip
def test_a_workbook_with_alias_headers_imports_as_its_csv_does(header, rows, as_csv, expected):
    report = run(alias_workbook(header, rows), name="export.xlsx")
    assert (report.format, report.encoding, report.errors) == ("crawl", "xlsx", [])
    fields = ["user_name", "text", "timestamp", "like", "permalink"]
    # each field found under its alias (headers are read in lower case)
    assert report.columns == dict(zip(fields, [h.lower() for h in header], strict=True))
    # ids from the links; the /reel/ one is a video
    assert imported_posts() == expected
    assert Influencer.objects.get().gender == ""  # created from the posts: needs curation
    Post.objects.all().delete()
    Influencer.objects.all().delete()
    from_csv = run(as_csv, name="export.csv")
    assert from_csv.errors == [] and from_csv.columns == report.columns
    assert imported_posts() == expected


def test_every_alias_is_one_name_once_the_table_is_normalised():
    from influencers.imports.fields import header_normalize

    seen = {}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            assert seen.setdefault(header_normalize(alias), field) == field, alias


def test_a_table_without_an_account_column_imports_when_the_account_is_named():
    data = b"shortcode,caption,likes\nNA1,hello,3\n"
    with pytest.raises(ImportFileError, match="--account"):
        run(data)
    assert run(data, account="example_named").posts_created == 1
    assert Influencer.objects.get().handle == "example_named"


def test_the_influencers_file_sets_gender_and_size_of_accounts_the_posts_created():
    run(fixture("reels_crawler_ko.csv"))
    assert Influencer.objects.needing_curation().count() == 1
    report = run(
        fixture("reels_crawler_ko.csv"),
        influencers_data=b"user_name,gender,size\nexample.reels,F,S\n",
    )
    reels = Influencer.objects.get()
    assert (reels.gender, reels.body_size, reels.followers) == ("F", "S", 153000)
    assert report.influencers_needing_curation == 0


# --- 6. instaloader folders and zips, written by instaloader itself ---------------------------


def instaloader_download(folder: Path) -> Path:
    """A profile's download as instaloader writes it: metadata through its own writer, the
    caption through its own save_caption, images under its `<date>_UTC[_n].jpg` names."""
    from instaloader import Instaloader, InstaloaderContext, Profile
    from instaloader import Post as LoaderPost

    loader = Instaloader(quiet=True, sleep=False)
    context = InstaloaderContext(quiet=True)
    target = folder / "example_loader"
    profile = Profile(
        context,
        {
            "id": "4000001",
            "username": "example_loader",
            "full_name": "예시 로더",
            "biography": "데일리룩 기록",
            "edge_followed_by": {"count": 2300},
        },
    )
    nodes = [
        {
            "id": "1",
            "shortcode": "ILsingle1",
            "__typename": "GraphImage",
            "is_video": False,
            "taken_at_timestamp": 1714564800,
            "edge_media_to_caption": {"edges": [{"node": {"text": "한 장 #ootd"}}]},
            "edge_media_preview_like": {"count": 120},
            "owner": {"id": "4000001", "username": "example_loader"},
        },
        {
            "id": "2",
            "shortcode": "ILalbum2",
            "__typename": "GraphSidecar",
            "is_video": False,
            "taken_at_timestamp": 1714651200,
            "edge_media_to_caption": {"edges": [{"node": {"text": "두 장"}}]},
            "edge_media_preview_like": {"count": 80},
            "owner": {"id": "4000001"},
            "edge_sidecar_to_children": {
                "edges": [
                    {"node": {"__typename": "GraphImage", "is_video": False}},
                    {"node": {"__typename": "GraphImage", "is_video": False}},
                ]
            },
        },
        {
            "id": "3",
            "shortcode": "ILvideo3",
            "__typename": "GraphVideo",
            "is_video": True,
            "taken_at_timestamp": 1714737600,
            "edge_media_to_caption": {"edges": []},
            "edge_media_preview_like": {"count": 40},
            "owner": {"id": "4000001", "username": "example_loader"},
        },
    ]
    colors = iter([(200, 40, 40), (40, 200, 40), (40, 40, 200), (120, 120, 0)])
    for node in nodes:
        post = LoaderPost(context, node, owner_profile=profile)
        stem = str(target / loader.format_filename(post, target="example_loader"))
        loader.save_metadata_json(stem, post)
        loader.save_caption(stem, post.date_utc, post.caption or "")
        if post.typename == "GraphSidecar":
            for n in (1, 2):
                Path(f"{stem}_{n}.jpg").write_bytes(jpeg_bytes(next(colors)))
        else:
            Path(f"{stem}.jpg").write_bytes(jpeg_bytes(next(colors)))
    loader.save_metadata_json(str(target / "example_loader_4000001"), profile)
    return target


def test_an_instaloader_folder_imports_with_its_images_albums_and_profile(tmp_path):
    folder = instaloader_download(tmp_path)
    names = sorted(p.name for p in folder.iterdir())
    assert "2024-05-01_12-00-00_UTC.json.xz" in names and "2024-05-02_12-00-00_UTC_2.jpg" in names
    report = run(folder, name="example_loader")
    assert (report.format, report.errors, report.posts_created) == ("instaloader", [], 3)
    assert report.images_stored == 4
    found = posts()
    assert found["ILalbum2"].extra_image_count == 1 and found["ILalbum2"].likes == 80
    assert found["ILvideo3"].is_video and found["ILsingle1"].caption == "한 장 #ootd"
    assert found["ILsingle1"].posted_at == dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    loader = Influencer.objects.get()
    assert (loader.handle, loader.display_name, loader.followers, loader.bio) == (
        "example_loader",
        "예시 로더",
        2300,
        "데일리룩 기록",
    )


def test_an_instaloader_zip_imports_like_its_folder_and_again_changes_nothing(tmp_path):
    folder = instaloader_download(tmp_path)
    archive = tmp_path / "download.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", tmp_path, "example_loader")
    report = run(archive.read_bytes())
    assert (report.format, report.errors, report.posts_created, report.images_stored) == (
        "instaloader",
        [],
        3,
        4,
    )
    again = run(archive.read_bytes())
    assert (again.posts_unchanged, again.images_stored) == (3, 0)
    assert folder.exists()


def test_a_damaged_instaloader_metadata_file_is_one_bad_row_named_by_its_file(tmp_path):
    folder = instaloader_download(tmp_path)
    (folder / "2024-05-03_12-00-00_UTC.json.xz").write_bytes(b"\xfd7zXZ\x00 not really xz")
    report = run(folder)
    assert report.posts_created == 2
    assert [(e["file"], e["column"]) for e in report.errors] == [
        ("2024-05-03_12-00-00_UTC.json.xz", "metadata")
    ]


def test_an_xz_bomb_in_an_instaloader_zip_is_a_bad_row_not_a_full_memory(tmp_path):
    import lzma

    folder = instaloader_download(tmp_path)
    bomb = lzma.compress(b'{"node": {"shortcode": "' + b"A" * (40 * 2**20) + b'"}}')
    (folder / "2024-05-03_12-00-00_UTC.json.xz").write_bytes(bomb)
    report = run(folder)
    assert report.posts_created == 2 and "unpacks to more than" in report.errors[0]["reason"]


def test_a_zip_that_is_neither_workbook_nor_instaloader_download_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/a.jpg", jpeg_bytes())
    with pytest.raises(ImportFileError, match="without instaloader"):
        run(out.getvalue())


# --- needs curation, in admin and the import report ---------------------------------------------


def test_admin_counts_and_filters_the_influencers_needing_curation(client):
    from tests.factories import InfluencerFactory, UserFactory

    run(fixture("reels_crawler_ko.csv"))
    InfluencerFactory(handle="curated_one")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    page = client.get("/admin/influencers/influencer/").content.decode()
    assert "1 needs curation" in page
    client.cookies["django_language"] = "ko"
    assert "검수 필요 1명" in client.get("/admin/influencers/influencer/").content.decode()
    client.cookies["django_language"] = "en"
    needed = client.get("/admin/influencers/influencer/?curation=needed").content.decode()
    assert "example.reels" in needed and "curated_one" not in needed
    done = client.get("/admin/influencers/influencer/?curation=done").content.decode()
    assert "curated_one" in done and "example.reels" not in done


def test_the_admin_page_and_the_api_import_an_export_named_with_its_account(
    client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from influencers.models import ImportJob
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    answer = fixture("graph_business_discovery_without_username.json")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/admin/influencers/influencer/import/",
            {"posts_file": SimpleUploadedFile("answer.json", answer), "format": "auto"},
        )
    from influencers.services.import_jobs import import_job_run

    refused = import_job_run(job_id=ImportJob.objects.get().pk)
    assert refused.status == "failed" and "add username to the fields" in refused.error
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/admin/influencers/influencer/import/",
            {
                "posts_file": SimpleUploadedFile("answer.json", answer),
                "format": "auto",
                "account": "example_studio",
            },
        )
    job = import_job_run(job_id=ImportJob.objects.order_by("-pk").first().pk)
    assert (job.status, job.report["posts_created"], job.report["format"]) == ("done", 2, "graph")
    page = client.get(f"/admin/influencers/influencer/import/{job.pk}/").content.decode()
    assert "influencers needing curation" in page
    api = APIClient()
    api.force_authenticate(staff)
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            "/api/v1/imports/",
            {
                "posts_file": SimpleUploadedFile(
                    "items.json", fixture("apify_instagram_scraper.json")
                ),
            },
            format="multipart",
        )
    assert response.status_code == 202
    job = import_job_run(job_id=response.json()["id"])
    assert (job.status, job.report["format"], job.report["posts_created"]) == ("done", "apify", 3)


# --- the documentation's examples are the code's -------------------------------------------------


def test_every_export_example_in_the_import_docs_imports_found_from_its_content(settings):
    doc = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    blocks = [("csv", b.split("```", 1)[0]) for b in doc.split("```csv\n")[1:]]
    blocks += [("json", b.split("```", 1)[0]) for b in doc.split("```json\n")[1:]]
    exports = [(kind, b) for kind, b in blocks if "post_id" not in b.splitlines()[0]]
    exports = [(kind, b) for kind, b in exports if not b.startswith("user_name,gender")]
    assert len(exports) >= 6
    for kind, block in exports:
        account = "example_studio" if '"username"' not in block else ""
        report = run(block.encode(), account=account if "business_discovery" in block else "")
        assert (kind, report.errors) == (kind, []) and report.posts_created, block[:80]


def test_an_account_that_is_no_handle_is_refused_before_anything_is_read(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from influencers.models import ImportJob
    from tests.factories import UserFactory

    with pytest.raises(ImportFileError) as caught:
        run(fixture("graph_business_discovery_without_username.json"), account="not a handle!")
    assert caught.value.code == "bad_account" and not Post.objects.exists()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    page = client.post(
        "/admin/influencers/influencer/import/",
        {
            "posts_file": SimpleUploadedFile("answer.json", b"{}"),
            "format": "auto",
            "account": "not a handle!",
        },
    ).content.decode()
    assert "The account is not an Instagram handle" in page and not ImportJob.objects.exists()


def test_a_caption_file_that_is_a_link_in_an_instaloader_folder_is_a_bad_row_never_read(tmp_path):
    folder = instaloader_download(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    metadata = folder / "2024-05-03_12-00-00_UTC.json.xz"
    import lzma

    structure = json.loads(lzma.open(metadata, "rt").read())
    structure["node"]["edge_media_to_caption"] = {}  # the caption comes from the .txt
    with lzma.open(metadata, "wt") as fp:
        json.dump(structure, fp)
    caption = folder / "2024-05-03_12-00-00_UTC.txt"
    caption.unlink()
    caption.symlink_to(secret)
    report = run(folder)
    assert report.posts_created == 2
    assert [(e["file"], e["column"]) for e in report.errors] == [
        ("2024-05-03_12-00-00_UTC.json.xz", "metadata")
    ]
    assert "do not read" not in json.dumps(report.as_dict(), default=str)


def test_an_apify_export_nested_as_deep_as_json_allows_is_read_without_exhausting_the_stack():
    items = json.loads(fixture("apify_instagram_scraper.json"))
    deep: dict = {}
    for _ in range(900):
        deep = {"x": deep}
    items[0]["latestComments"] = [deep]
    items[1]["caption"] = deep  # a caption that is no text: a bad row
    report = run(json.dumps(items).encode())
    assert report.posts_created == 2
    assert [(e["row"], e["column"], e["code"]) for e in report.errors] == [
        (2, "caption", "caption_not_text")
    ]


def test_the_format_is_found_from_the_content_whatever_the_file_is_called():
    for name in ("posts.csv", "export.xlsx", "graph.json", "noname"):
        Post.objects.all().delete()
        assert run(fixture("apify_instagram_scraper.json"), name=name).format == "apify"
    assert run(fixture("reels_crawler_ko.csv"), name="dataset.json").format == "crawl"
