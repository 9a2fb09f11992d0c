import io
import json
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command

from influencers.imports import ImportFileError
from influencers.models import NO_IMAGE, ClassificationStatus, Influencer, Post
from influencers.services.imports import posts_import
from tests.conftest import jpeg_bytes, media_files, png_bytes
from tests.influencers.test_import_files import shown

pytestmark = pytest.mark.django_db

PEOPLE = (
    "user_name,gender,size,followers,height,display_name\nalpha,F,S,1000,160,알파\nbeta,M,L,,,\n"
)
POSTS = (
    "user_name,post_id,text,timestamp,like,video\n"
    'alpha,a1,"첫 게시물 #데일리룩\n줄바꿈 😍",2024-01-01 10:00:00,100,False\n'
    "alpha,a2,두번째 #협찬,2024-01-02T10:00:00+09:00,-1,False\n"
    "alpha,a3,세번째,1704200000,300,True\n"
    "beta,b1,베타 글,2024-02-01,-1,0\n"
)


def run(posts=POSTS, people=PEOPLE, **kwargs):
    return posts_import(
        posts_data=posts.encode(),
        posts_name="posts.csv",
        influencers_data=people.encode() if people else None,
        **kwargs,
    )


def test_a_crawl_csv_imports_influencers_and_posts():
    report = run()
    assert (report.posts_created, report.influencers_created, report.errors) == (4, 2, [])
    alpha = Influencer.objects.get(handle="alpha")
    assert (alpha.gender, alpha.body_size, alpha.followers, alpha.height_cm) == (
        "F",
        "S",
        1000,
        160,
    )
    first = Post.objects.get(instagram_id="a1")
    assert "줄바꿈 😍" in first.caption and first.likes == 100
    assert Post.objects.get(instagram_id="a3").is_video is True
    assert Post.objects.get(instagram_id="a2").is_sponsored is True


def test_hidden_likes_are_stored_as_hidden_and_count_as_the_accounts_visible_mean():
    run()
    hidden = Post.objects.get(instagram_id="a2")
    assert hidden.likes is None  # never -1
    assert hidden.likes_imputed is True
    assert hidden.effective_likes == pytest.approx((100 + 300) / 2)
    assert Post.objects.get(instagram_id="a1").likes_imputed is False


def test_an_account_whose_likes_are_all_hidden_gets_zero_and_is_flagged():
    run()
    only = Post.objects.get(instagram_id="b1")
    assert (only.effective_likes, only.likes_imputed) == (0, True)


def test_a_reimport_that_changes_one_visible_count_updates_the_imputed_mean():
    run()
    report = run(
        posts=POSTS.replace("alpha,a3,세번째,1704200000,300", "alpha,a3,세번째,1704200000,500")
    )
    assert (report.posts_created, report.posts_updated, report.posts_unchanged) == (0, 1, 3)
    assert Post.objects.get(instagram_id="a2").effective_likes == pytest.approx(300)
    assert Influencer.objects.get(handle="alpha").total_likes == pytest.approx(100 + 300 + 500)


def test_reimporting_the_same_export_changes_nothing():
    run()
    before = list(Post.objects.order_by("pk").values())
    report = run()
    assert (report.posts_created, report.posts_updated, report.posts_unchanged) == (0, 0, 4)
    assert report.influencers_created == report.influencers_updated == 0
    assert list(Post.objects.order_by("pk").values()) == before


def test_json_lines_import_the_same_way():
    lines = "\n".join(
        json.dumps(
            {
                "user_name": "alpha",
                "post_id": f"j{i}",
                "text": "글 #태그",
                "timestamp": "2024-03-01T00:00:00Z",
                "like": i * 10,
                "video": False,
            },
            ensure_ascii=False,
        )
        for i in range(3)
    )
    report = run(posts=lines)
    assert report.posts_created == 3 and not report.errors


def test_graph_api_media_json_imports_with_hidden_counts_absent():
    media = {
        "business_discovery": {
            "username": "alpha",
            "media": {
                "data": [
                    {
                        "id": "g1",
                        "caption": "그래프 #원피스",
                        "like_count": 40,
                        "media_type": "IMAGE",
                        "timestamp": "2024-05-01T12:00:00+0000",
                        "permalink": "https://instagram.com/p/g1",
                    },
                    {
                        "id": "g2",
                        "caption": "좋아요 숨김",
                        "media_type": "VIDEO",
                        "timestamp": "2024-05-02T12:00:00+0000",
                        "permalink": "https://instagram.com/p/g2",
                    },
                ]
            },
        }
    }
    report = posts_import(
        posts_data=json.dumps(media).encode(),
        posts_name="media.json",
        influencers_data=PEOPLE.encode(),
        format="graph",
    )
    assert report.posts_created == 2 and not report.errors
    g2 = Post.objects.get(instagram_id="g2")
    assert (g2.likes, g2.effective_likes, g2.is_video) == (None, 40, True)


def test_bad_rows_are_reported_with_row_column_and_reason_and_good_rows_imported():
    posts = (
        "user_name,post_id,text,timestamp,like,video\n"
        "alpha,ok1,fine,2024-01-01,5,false\n"
        "alpha,bad1,x,2024-01-01,abc,false\n"
        "alpha,bad2,x,not a date,1,false\n"
        "alpha,ok1,dup,2024-01-01,5,false\n"
        "no body,bad3,x,2024-01-01,1,false\n"
        "alpha,bad4,x,2024-01-01,1,maybe\n"
    )
    people = PEOPLE + "gamma,X,M,,,\n"
    report = run(posts=posts, people=people)
    assert report.posts_created == 1
    found = {(e["row"], e["column"]) for e in report.errors}
    assert found == {(3, "like"), (4, "timestamp"), (5, "post_id"), (6, "user_name"), (7, "video")}
    assert shown(report.influencer_errors) == [
        {"row": 4, "line": 4, "column": "gender", "reason": "unknown gender: 'X' (use F or M)"}
    ]
    assert not Influencer.objects.filter(handle="gamma").exists()


@pytest.mark.parametrize(
    "data,code",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not_tabular"),
        (b"user_name,post_id\nalpha,1\n", "missing_columns"),
        (
            # Latin-1 (a European Excel's CSV): neither UTF-8, UTF-16 nor CP949
            "user_name,post_id,text,timestamp,like,video\nalpha,1,café crème,2024-01-01,1,false\n".encode(
                "latin-1"
            ),
            "wrong_encoding",
        ),
        (b"", "empty_file"),
        (b'{"user_name": "alpha", "post_id": ', "invalid_json"),
    ],
)
def test_a_broken_file_gives_one_clear_error_and_writes_nothing(data, code):
    with pytest.raises(ImportFileError) as info:
        posts_import(posts_data=data, posts_name="posts.csv", influencers_data=PEOPLE.encode())
    assert info.value.code == code
    assert not Influencer.objects.exists() and not Post.objects.exists()


def test_images_come_from_a_folder_and_go_through_the_upload_validator(tmp_path, settings):
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "a1.jpg").write_bytes(jpeg_bytes())
    (folder / "a3.png").write_bytes(png_bytes())
    (folder / "b1.jpg").write_bytes(b"this is text, not an image")
    report = run(images=folder)
    assert report.images_stored == 2
    # b1 is row 5 as a spreadsheet shows it (header = 1) and starts on text line 6, after a1's
    # two-line caption
    assert [(e["row"], e["line"], e["column"]) for e in report.errors] == [(5, 6, "image")]
    assert "not_an_image" in report.errors[0]["reason"]
    assert not Post.objects.filter(instagram_id="b1").exists()
    a1 = Post.objects.get(instagram_id="a1")
    assert a1.image.name.startswith("posts/") and a1.image.name.endswith(".jpg")
    assert re.fullmatch(r"posts/[0-9a-f]{32}\.jpg", a1.image.name)  # a generated name
    assert Post.objects.get(instagram_id="a2").predicted_style == NO_IMAGE
    assert (
        Post.objects.get(instagram_id="a2").classification_status
        == ClassificationStatus.UNCLASSIFIABLE
    )
    assert len([p for p in media_files(settings.MEDIA_ROOT) if p.parent.name == "posts"]) == 2


def test_images_come_from_a_zip_and_a_reimport_stores_no_second_copy(tmp_path, settings):
    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("nested/a1.jpg", jpeg_bytes())
        zf.writestr("a3.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 garbage")
    report = run(images=archive)
    assert report.images_stored == 1
    assert [e["column"] for e in report.errors] == ["image"]
    files = media_files(settings.MEDIA_ROOT)
    report = run(images=archive)
    assert report.images_stored == 0
    assert media_files(settings.MEDIA_ROOT) == files


def test_a_failing_import_leaves_no_file_behind(tmp_path, settings, monkeypatch):
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "a1.jpg").write_bytes(jpeg_bytes())
    from influencers.services import imports as service

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service.Post.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        run(images=folder)
    assert [p for p in media_files(settings.MEDIA_ROOT) if "posts" in str(p)] == []
    assert not Post.objects.exists()


def test_the_command_imports_and_reports_bad_rows(tmp_path):
    posts, people = tmp_path / "posts.csv", tmp_path / "people.csv"
    posts.write_text(POSTS + "alpha,x9,x,2024-01-01,abc,false\n", encoding="utf-8")
    people.write_text(PEOPLE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_posts", str(posts), "--influencers", str(people), stdout=out, stderr=err)
    assert "4 created" in out.getvalue()
    assert "row 6 (line 7) [like]" in err.getvalue()  # a two-line caption comes before it


def test_the_command_refuses_a_broken_file_clearly(tmp_path):
    posts = tmp_path / "posts.csv"
    posts.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_posts", str(posts))


def test_the_admin_report_shows_row_errors_in_the_readers_language(client):
    """Walkthrough (issue 18): the Korean admin listed "not a number: 'abc'" and the like."""
    from django.utils import translation

    from influencers.models import ImportJob
    from tests.factories import UserFactory

    posts = (
        "user_name,post_id,text,timestamp,like,video\n"
        "alpha,ok1,x,2024-01-01,1,false\n"
        "alpha,bad1,x,2024-01-01,abc,false\n"
        "alpha,bad2,x,not a date,1,false\n"
    )
    report = run(posts=posts, people=PEOPLE + "gamma,X,M,,,\n")
    job = ImportJob.objects.create(
        source_name="posts.csv", format="crawl", status="done", report=report.as_dict()
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/influencers/influencer/import/{job.pk}/"
    korean = client.get(url).content.decode()
    for english in ("not a number: 'abc'", "not a date and time", "unknown gender"):
        assert english not in korean
    with translation.override("ko"):
        assert translation.gettext("not a number") in korean
        assert translation.gettext("not a number") != "not a number"
    client.cookies["django_language"] = "en"
    assert "not a number: &#x27;abc&#x27;" in client.get(url).content.decode()
