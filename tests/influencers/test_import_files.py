"""Imports of real exports as people have them: every program that writes a table, every way a
date or a count is written, and the files that try to break the import (issue 15)."""

import csv
import datetime as dt
import io
import json
import os
import random
import zipfile

import openpyxl
import pandas as pd
import pytest
from django.contrib.admin.sites import site
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from influencers.constants import CAPTION_MAX_LENGTH, FOLLOWERS_MAX
from influencers.imports import ImportFileError
from influencers.imports.readers import crawl_posts_parse
from influencers.models import Influencer, Post
from influencers.services.imports import posts_import
from tests.conftest import jpeg_bytes, media_files

pytestmark = pytest.mark.django_db

COLUMNS = ["user_name", "post_id", "text", "timestamp", "like", "video"]
PEOPLE = "user_name,gender,size,followers\nalpha,F,S,1000\nbeta,M,L,\n"


def csv_text(rows, columns=COLUMNS, **writer_args) -> str:
    out = io.StringIO()
    writer = csv.writer(out, **writer_args)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def xlsx_bytes(rows, columns=COLUMNS) -> bytes:
    """A workbook as Excel keeps one: texts stay texts (a leading = is not a formula)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(posts: bytes, people: str | bytes | None = PEOPLE, name="posts.csv", **kwargs):
    return posts_import(
        posts_data=posts,
        posts_name=name,
        influencers_data=people.encode() if isinstance(people, str) else people,
        **kwargs,
    )


def local(moment) -> str:
    return timezone.localtime(moment).isoformat()


def captions() -> dict[str, str]:
    return dict(Post.objects.values_list("instagram_id", "caption"))


# --- every program that writes the table ----------------------------------------------------

# Pieces real captions are made of, beside any Unicode text.
PIECES = ['"', '""', '"일리"', ",", ";", "\t", "\n", "\r\n", "\\n", "😍", "#데일리룩", "@x.y", " "]
# Control characters other than tab and line breaks are not text (and no workbook stores them).
_TEXT = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f",
)
_CP949_TEXT = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("\t\n"),
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # every Hangul syllable
)


def caption_texts(alphabet, pieces):
    part = st.one_of(st.text(alphabet, max_size=12), st.sampled_from(pieces))
    return st.lists(part, max_size=8).map("".join)


def unescaped(text: str) -> str:
    """What the import keeps: every line break as \\n (a workbook's XML reads \\r\\n as \\n, so
    no file can be trusted to keep the difference), and the two characters backslash and n always
    become a line break, so a text that means them literally cannot survive the round trip
    (docs/imports.md)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\\n", "\n")


def table_rows(texts: list[str]) -> list[list]:
    # The first row holds Korean text, so that a CP949 file is not also plain ASCII.
    rows = [["alpha", "k0", "한글 캡션", "2024-01-01 10:00:00", 1, "false"]]
    rows += [["alpha", f"h{i}", t, "2024-01-02 8:05:00", i, "false"] for i, t in enumerate(texts)]
    return rows


def written(writer: str, rows: list[list]) -> tuple[bytes, str]:
    """(file bytes, the encoding the import should report) as each program writes the table."""
    if writer == "csv module":
        return csv_text(rows).encode(), "UTF-8"
    if writer == "pandas to_csv":
        frame = pd.DataFrame(rows, columns=COLUMNS)
        return frame.to_csv(index=True).encode("utf-8-sig"), "UTF-8 (BOM)"
    if writer == "Korean Excel CSV (CP949)":
        return csv_text(rows).encode("cp949"), "CP949"
    if writer == "Excel Unicode text (UTF-16)":
        return csv_text(rows, delimiter="\t").encode("utf-16"), "UTF-16LE (BOM)"
    return xlsx_bytes(rows), "xlsx"


WRITERS = [
    "csv module",
    "pandas to_csv",
    "Korean Excel CSV (CP949)",
    "Excel Unicode text (UTF-16)",
    "xlsx",
]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    texts=st.lists(caption_texts(_TEXT, PIECES), min_size=1, max_size=4),
    korean_texts=st.lists(
        caption_texts(_CP949_TEXT, ['"', '"일리"', ",", "\n", "\\n"]), min_size=1, max_size=4
    ),
)
# CI found it: openpyxl writes a caption's \r\n into the sheet's XML, which reads back as \n.
@example(texts=["\r\n"], korean_texts=[""])
def test_any_table_of_texts_imports_identically_from_every_program_that_writes_it(
    texts, korean_texts
):
    for writer in WRITERS:
        if writer == "Korean Excel CSV (CP949)":
            rows = table_rows(korean_texts)  # CP949 has no emoji: Korean, ASCII and whitespace
        elif writer == "pandas to_csv":
            # pandas leaves a lone carriage return unquoted, and then no reader (Excel neither)
            # can tell it from a line end: pandas' file is ambiguous, so it is left out.
            rows = table_rows([t.replace("\r\n", "\n").replace("\r", "") for t in texts])
        else:
            rows = table_rows(texts)
        Post.objects.all().delete()
        data, encoding = written(writer, rows)
        report = run(data, name="export.dat")
        assert (writer, report.errors) == (writer, [])
        assert report.encoding == encoding
        expected = {row[1]: unescaped(row[2]) for row in rows}
        assert (writer, captions()) == (writer, expected)


# --- the prototype's own table --------------------------------------------------------------

# The prototype's five sample rows as its notebook prints them: hours without a leading zero,
# like = -1 where the account hides it, the two characters \n inside the texts.
PROTOTYPE_ROWS = [
    ["Onefence", "CnBkzXyPaQ1", "#협찬 @myfipn_official \\n\\n마이핏 트레이닝복 🖤\\n#운동복",
     "2023-01-04 8:54:58", 526, False, 16, "스포티"],
    ["Onefence", "CnAq4KpvRb2", "주말 데일리 \\n#ootd #데일리룩",
     "2023-01-03 21:10:03", -1, False, 22, "스트리트"],
    ["Onefence", "Cm-8sYtPxc3", "새해 복 많이 받으세요 🙏",
     "2023-01-01 0:02:11", 521, False, 10, "모던"],
    ["Onefence", "Cm9zWq1vLd4", "#광고 겨울 코트\\n\\n따뜻해요",
     "2022-12-30 9:41:37", -1, True, 99, "알수없음"],
    ["Onefence", "Cm7uTr2sKe5", "카페 나들이 ☕",
     "2022-12-28 18:15:49", 532, False, 0, "클래식"],
]  # fmt: skip
PROTOTYPE_COLUMNS = COLUMNS + ["post_style_idx", "post_style"]


def prototype_csv() -> bytes:
    """The table as pandas writes it: its unnamed index column first."""
    return pd.DataFrame(PROTOTYPE_ROWS, columns=PROTOTYPE_COLUMNS).to_csv().encode()


def test_the_prototypes_five_sample_rows_import_whole():
    people = "user_name,gender,size\nOnefence,M,M\n"
    report = run(prototype_csv(), people=people)
    assert (report.posts_created, report.errors) == (5, [])
    posts = {p.instagram_id: p for p in Post.objects.all()}
    mean = (526 + 521 + 532) / 3
    for post_id in ("CnAq4KpvRb2", "Cm9zWq1vLd4"):
        hidden = posts[post_id]
        assert (hidden.likes, hidden.likes_imputed) == (None, True)
        assert hidden.effective_likes == pytest.approx(mean)
    first = posts["CnBkzXyPaQ1"]
    assert first.caption == "#협찬 @myfipn_official \n\n마이핏 트레이닝복 🖤\n#운동복"
    assert first.is_sponsored and "\\" not in "".join(p.caption for p in posts.values())
    assert local(first.posted_at) == "2023-01-04T08:54:58+09:00"
    assert local(posts["Cm-8sYtPxc3"].posted_at) == "2023-01-01T00:02:11+09:00"
    assert {p: posts[p].prototype_style for p in posts} == {
        "CnBkzXyPaQ1": "sporty",
        "CnAq4KpvRb2": "street",
        "Cm-8sYtPxc3": "modern",
        "Cm9zWq1vLd4": "",  # a label that names no style is kept empty, not an error
        "Cm7uTr2sKe5": "classic",
    }
    assert posts["Cm9zWq1vLd4"].is_video is True


def test_reimporting_the_prototypes_table_changes_nothing():
    people = "user_name,gender,size\nOnefence,M,M\n"
    run(prototype_csv(), people=people)
    before = list(Post.objects.order_by("pk").values())
    report = run(prototype_csv(), people=people)
    assert (report.posts_created, report.posts_updated, report.posts_unchanged) == (0, 0, 5)
    assert list(Post.objects.order_by("pk").values()) == before


def test_an_export_without_the_style_column_leaves_the_prototypes_label_alone():
    people = "user_name,gender,size\nOnefence,M,M\n"
    run(prototype_csv(), people=people)
    without = pd.DataFrame(PROTOTYPE_ROWS, columns=PROTOTYPE_COLUMNS)[COLUMNS].to_csv(index=False)
    report = run(without.encode(), people=people)
    assert report.errors == [] and report.posts_updated == 0
    assert Post.objects.get(instagram_id="CnBkzXyPaQ1").prototype_style == "sporty"


def test_the_admin_shows_the_prototypes_label_beside_the_models(client):
    from tests.factories import UserFactory

    run(prototype_csv(), people="user_name,gender,size\nOnefence,M,M\n")
    post_admin = site._registry[Post]
    shown = list(post_admin.list_display)
    assert shown.index("prototype_style") == shown.index("predicted_style") + 1
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/influencers/post/").content.decode()
    assert "스포티" in page and "스트리트" in page
    post = Post.objects.get(instagram_id="CnBkzXyPaQ1")
    page = client.get(f"/admin/influencers/post/{post.pk}/change/").content.decode()
    assert "field-prototype_style" in page and "스포티" in page


# --- real captions ---------------------------------------------------------------------------


def test_real_korean_captions_written_by_pythons_csv_module_import_without_loss(shared_data):
    with open(shared_data / "korean-text" / "instagram_posts.csv", encoding="utf-8") as fp:
        texts = [row["text"] for row in csv.DictReader(fp)]
    assert sum('"' in t for t in texts) > 20  # quotes inside captions: what a sniffer misreads
    texts.append('카페가는거 좋아 "일리" 커피\n#카페')  # the reproduction
    handles = ["kr_one", "kr_two", "kr_three"]
    rows = [
        [handles[i % 3], f"kr{i}", text, "2024-01-01T10:00:00+09:00", i, "false"]
        for i, text in enumerate(texts)
    ]
    people = "user_name,gender,size\n" + "".join(f"{h},F,M\n" for h in handles)
    report = run(csv_text(rows).encode(), people=people)
    assert report.errors == []
    assert report.posts_created == len(texts) == Post.objects.count()
    assert captions() == {f"kr{i}": t for i, t in enumerate(texts)}


# --- row numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("terminator", ["\r\n", "\n"])
def test_bad_rows_are_reported_at_the_line_their_record_starts_on(terminator):
    rows = [
        ["alpha", "p1", "one line", "2024-01-01", 1, "false"],
        ["alpha", "p2", "three\nline\ncaption", "2024-01-01", 2, "false"],
        ["alpha", "p3", "bad like", "2024-01-01", "abc", "false"],
        ["alpha", "p4", 'quote "inside"\r\nand a CRLF', "2024-01-01", 4, "false"],
        ["alpha", "p1", "duplicate", "2024-01-01", 5, "false"],
        ["no handle!", "p6", "not an Instagram handle", "2024-01-01", 6, "false"],
    ]
    text = csv_text(rows, lineterminator=terminator)
    # where each record starts, counted the way a text editor numbers lines
    starts, line = [], 2
    for row in rows:
        starts.append(line)
        line += csv_text([row], lineterminator=terminator).count("\n") - 1
    report = run(text.encode())
    # row: as a spreadsheet shows it (header = 1); line: where the record starts in the text
    assert [(e["row"], e["line"], e["column"]) for e in report.errors] == [
        (4, starts[2], "like"),
        (6, starts[4], "post_id"),
        (7, starts[5], "user_name"),
    ]
    assert starts[2:] == [6, 7, 9, 10]
    assert report.errors[1]["reason"] == "duplicate of row 2"
    assert sorted(captions()) == ["p1", "p2", "p4"]


def test_bad_rows_in_a_workbook_are_reported_at_their_sheet_row():
    rows = [
        ["alpha", "x1", "fine\nwith a line break", "2024-01-01", 1, "false"],
        ["alpha", "x2", "bad", "2024-01-01", "abc", "false"],
    ]
    report = run(xlsx_bytes(rows), name="posts.xlsx")
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "like")]


# --- dates, counts, texts --------------------------------------------------------------------


@pytest.mark.parametrize(
    "written,stored",
    [
        ("2023-01-04 8:54:58", "2023-01-04T08:54:58+09:00"),
        ("2023-01-04 08:54:58", "2023-01-04T08:54:58+09:00"),
        ("2023.01.04 8:54", "2023-01-04T08:54:00+09:00"),
        ("2023. 1. 4. 오후 8:54:58", "2023-01-04T20:54:58+09:00"),
        ("2023. 1. 4. 오전 12:03:00", "2023-01-04T00:03:00+09:00"),
        ("2023년 1월 4일 오후 8:54", "2023-01-04T20:54:00+09:00"),
        ("2023/1/4 8:54 PM", "2023-01-04T20:54:00+09:00"),
        ("2024-01-01T10:00:00+09:00", "2024-01-01T10:00:00+09:00"),
        ("2024-05-01T12:00:00+0000", "2024-05-01T12:00:00+00:00"),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00+00:00"),
        ("1704200000", "2024-01-02T12:53:20+00:00"),
        ("2024-02-01", "2024-02-01T00:00:00+09:00"),
    ],
)
def test_timestamps_as_crawlers_and_korean_spreadsheets_write_them(written, stored):
    report = run(csv_text([["alpha", "t1", "x", written, 1, "false"]]).encode())
    assert report.errors == []
    assert Post.objects.get().posted_at == dt.datetime.fromisoformat(stored)


@pytest.mark.parametrize(
    "written", ["2023-13-01 8:00", "2023. 1. 4. 오후 13:00", "어제", "4 Jan", "9" * 200]
)
def test_a_timestamp_that_is_no_date_is_a_bad_row(written):
    report = run(csv_text([["alpha", "t1", "x", written, 1, "false"]]).encode())
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "timestamp")]


def test_a_workbooks_own_date_cells_are_read_as_dates():
    rows = [["alpha", "w1", "x", dt.datetime(2023, 1, 4, 8, 54, 58), 1, "false"]]
    report = run(xlsx_bytes(rows), name="posts.xlsx")
    assert report.errors == []
    assert local(Post.objects.get().posted_at) == "2023-01-04T08:54:58+09:00"


@pytest.mark.parametrize(
    "written,likes",
    [
        ("1,234", 1234),
        ("1.2만", 12_000),
        ("3.4천", 3_400),
        ("1.2K", 1_200),
        ("3.4k", 3_400),
        ("1.5M", 1_500_000),
        ("526.0", 526),
        ("-1", None),
    ],
)
def test_like_counts_as_instagram_and_spreadsheets_show_them(written, likes):
    report = run(csv_text([["alpha", "n1", "x", "2024-01-01", written, "false"]]).encode())
    assert report.errors == []
    assert Post.objects.get().likes == likes


@pytest.mark.parametrize("written", ["abc", "1,23", "-5", "1.5", "1e3", "", "9" * 5000])
def test_a_like_that_is_no_count_is_a_bad_row(written):
    report = run(csv_text([["alpha", "n1", "x", "2024-01-01", written, "false"]]).encode())
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "like")]


def test_followers_are_read_with_thousands_separators_and_korean_units():
    people = 'user_name,gender,size,followers\nalpha,F,S,"12,500"\nbeta,M,L,1.2만\ngamma,F,M,3.4K\n'
    report = run(csv_text([]).encode(), people=people)
    assert report.influencer_errors == []
    assert dict(Influencer.objects.values_list("handle", "followers")) == {
        "alpha": 12_500,
        "beta": 12_000,
        "gamma": 3_400,
    }


def test_counts_past_the_databases_integer_range_are_bad_rows_on_every_database():
    people = f"user_name,gender,size,followers\nalpha,F,S,{FOLLOWERS_MAX}\nbeta,M,L,{FOLLOWERS_MAX + 1}\n"
    rows = [
        ["alpha", "big1", "x", "2024-01-01", FOLLOWERS_MAX, "false"],
        ["alpha", "big2", "x", "2024-01-01", FOLLOWERS_MAX + 1, "false"],
        ["alpha", "big3", "x", "2024-01-01", "3000M", "false"],
    ]
    report = run(csv_text(rows).encode(), people=people)
    assert [(e["row"], e["column"]) for e in report.influencer_errors] == [(3, "followers")]
    assert "out of range" in report.influencer_errors[0]["reason"]
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "like"), (4, "like")]
    assert Influencer.objects.get(handle="alpha").followers == FOLLOWERS_MAX
    assert Post.objects.get().likes == FOLLOWERS_MAX


def test_the_two_characters_backslash_n_become_a_line_break_in_crawl_texts_only():
    rows = [["alpha", "c1", "첫 줄\\n둘째 줄", "2024-01-01", 1, "false"]]
    run(csv_text(rows).encode())
    assert Post.objects.get().caption == "첫 줄\n둘째 줄"
    media = {"username": "alpha", "data": [{"id": "g1", "caption": "C:\\new", "like_count": 3}]}
    report = run(json.dumps(media).encode(), name="media.json", format="graph")
    assert report.errors == []
    assert Post.objects.get(instagram_id="g1").caption == "C:\\new"  # JSON has real line breaks


# --- encodings and formats -------------------------------------------------------------------

KOREAN_ROWS = [
    [
        "alpha",
        "e1",
        '카페 "일리" 커피, 맛있다\n#데일리',
        "2023. 1. 4. 오후 8:54:58",
        "1,234",
        "false",
    ]
]


@pytest.mark.parametrize(
    "data,encoding",
    [
        (csv_text(KOREAN_ROWS).encode(), "UTF-8"),
        (csv_text(KOREAN_ROWS).encode("utf-8-sig"), "UTF-8 (BOM)"),
        (csv_text(KOREAN_ROWS).encode("cp949"), "CP949"),
        (csv_text(KOREAN_ROWS).encode("euc-kr"), "CP949"),
        (csv_text(KOREAN_ROWS, delimiter="\t").encode("utf-16"), "UTF-16LE (BOM)"),
        (csv_text(KOREAN_ROWS, delimiter="\t").encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16BE (BOM)"),
        (csv_text(KOREAN_ROWS, delimiter=";").encode("cp949"), "CP949"),
        (xlsx_bytes(KOREAN_ROWS), "xlsx"),
    ],
)  # fmt: skip
def test_every_encoding_korean_users_save_in_is_read_and_reported(data, encoding):
    report = run(data, name="posts.csv")  # found by content, whatever the name says
    assert (report.errors, report.encoding) == ([], encoding)
    post = Post.objects.get()
    assert (post.caption, post.likes) == (KOREAN_ROWS[0][2], 1234)


def test_an_influencers_workbook_is_read_like_its_csv():
    people = xlsx_bytes(
        [["alpha", "여", "S", 1200], ["beta", "X", "M", 5]],
        ["user_name", "gender", "size", "followers"],
    )
    report = run(csv_text([]).encode(), people=people)
    assert report.influencers_encoding == "xlsx"
    assert [(e["row"], e["column"]) for e in report.influencer_errors] == [(3, "gender")]
    assert Influencer.objects.get().followers == 1200


def test_a_pandas_workbook_with_its_index_column_imports():
    frame = pd.DataFrame(PROTOTYPE_ROWS, columns=PROTOTYPE_COLUMNS)
    out = io.BytesIO()
    frame.to_excel(out)  # index first, under an empty header cell
    report = run(out.getvalue(), people="user_name,gender,size\nOnefence,M,M\n", name="p.xlsx")
    assert (report.posts_created, report.errors) == (5, [])


LATIN_1_CSV = "user_name,post_id,text\nalpha,1,Müller café\n".encode("latin-1")


def workbook_without_sheet_xml() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(KOREAN_ROWS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for info in source.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                damaged.writestr(info, source.read(info))
    return out.getvalue()


def images_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a1.jpg", jpeg_bytes())
    return out.getvalue()


@pytest.mark.parametrize(
    "data,code",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not_tabular"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"\x00" * 8, "not_tabular"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "not_tabular"),  # old .xls
        (images_zip(), "not_tabular"),  # a zip, but no workbook
        (xlsx_bytes(KOREAN_ROWS)[:-200], "invalid_xlsx"),  # cut short
        (workbook_without_sheet_xml(), "invalid_xlsx"),
        (LATIN_1_CSV, "wrong_encoding"),  # a European Excel's CSV
        (csv_text(KOREAN_ROWS).encode("utf-16-le"), "wrong_encoding"),  # UTF-16 without its BOM
        (b"\xff\xfe\x00\x00" + csv_text(KOREAN_ROWS).encode("utf-32-le"), "wrong_encoding"),
        ("user_name,post_id,text\nalpha,1,中文文本\n".encode("gbk") + "中文".encode("gbk") * 50, "wrong_encoding"),
        (b"\xff\xfe" + b"\x00\xd8\x41\x00", "wrong_encoding"),  # UTF-16 with a lone surrogate
        (xlsx_bytes([["alpha", "1"]], ["user_name", "post_id"]), "missing_columns"),
        (b"user_name;post_id\nalpha;1\n", "missing_columns"),
        (b"just one column\nof words\n", "not_tabular"),
        (b"user_name,post_id,text,timestamp,like,video,text\n", "not_tabular"),  # text twice
        (b"\n\n  \n", "empty_file"),
        (b"[]", "empty_file"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_readable_table_is_one_clear_error_and_nothing_is_written(data, code):
    with pytest.raises(ImportFileError) as info:
        run(data)
    assert info.value.code == code, info.value.message
    assert "posts.csv" in info.value.message
    assert not Influencer.objects.exists() and not Post.objects.exists()


def test_missing_columns_are_named_in_the_error_with_the_columns_the_file_has():
    with pytest.raises(
        ImportFileError,
        match=r"lacks the field\(s\) like .*Its columns are: "
        "post_id, text, user_name",
    ):
        run(b"user_name,post_id,text\nalpha,1,x\n")


# --- the files that try to break the import -------------------------------------------------


HUGE_CAPTION_ROWS = [
    ["alpha", "ok1", "짧은 글", "2024-01-01", 1, "false"],
    ["alpha", "huge", "가나다 " * 100_000, "2024-01-01", 2, "false"],  # 400,000 characters
    ["alpha", "ok2", "다음 글", "2024-01-01", 3, "false"],
]


@pytest.mark.parametrize(
    "data,error",
    [
        # longer than the csv module reads in one field: the record is skipped whole
        (
            csv_text(HUGE_CAPTION_ROWS).encode(),
            (3, "record", f"a field is longer than {csv.field_size_limit():,} characters"),
        ),
        (
            "\n".join(
                json.dumps(dict(zip(COLUMNS, r, strict=True))) for r in HUGE_CAPTION_ROWS
            ).encode(),
            (2, "text", "caption of 400,000 characters; the limit is 10,000"),
        ),
    ],
)
def test_a_400000_character_caption_is_a_bad_row_and_the_other_rows_import(data, error):
    report = run(data)
    assert [(e["row"], e["column"], e["reason"]) for e in report.errors] == [error]
    assert sorted(captions()) == ["ok1", "ok2"]


def test_a_caption_just_over_the_limit_is_a_bad_row_with_its_reason():
    rows = [
        ["alpha", "at", "x" * CAPTION_MAX_LENGTH, "2024-01-01", 1, "false"],
        ["alpha", "over", "x" * (CAPTION_MAX_LENGTH + 1), "2024-01-01", 1, "false"],
    ]
    report = run(csv_text(rows).encode())
    assert shown(report.errors) == [
        {
            "row": 3,
            "line": 3,
            "column": "text",
            "reason": "caption of 10,001 characters; the limit is 10,000",
        }
    ]
    assert list(captions()) == ["at"]


def test_a_csv_field_over_the_csv_modules_limit_spanning_lines_is_one_bad_row():
    limit = csv.field_size_limit()
    long_text = ("긴 줄\n" * (limit // 4 + 10)) + '끝 "인용" 끝'
    rows = [
        ["alpha", "before", "앞", "2024-01-01", 1, "false"],
        ["alpha", "long", long_text, "2024-01-01", 2, "false"],
        ["alpha", "after", "뒤, 쉼표", "2024-01-01", 3, "false"],
        ["alpha", "bad", "x", "2024-01-01", "abc", "false"],
    ]
    report = run(csv_text(rows).encode())
    after_line = 3 + long_text.count("\n") + 1
    assert shown(report.errors) == [
        {
            "row": 3,
            "line": 3,
            "column": "record",
            "reason": f"a field is longer than {limit:,} characters",
        },
        {"row": 5, "line": after_line + 1, "column": "like", "reason": "not a number: 'abc'"},
    ]
    assert captions() == {"before": "앞", "after": "뒤, 쉼표"}


def test_a_huge_header_field_is_one_clear_error():
    data = ("user_name," + "x" * (csv.field_size_limit() + 1) + "\n").encode()
    with pytest.raises(ImportFileError) as info:
        run(data)
    assert info.value.code == "not_tabular"


@pytest.mark.parametrize("format", ["crawl", "graph"])
@pytest.mark.parametrize("shape", ["list", "object", "lines"])
def test_json_nested_100000_deep_is_one_clear_error(format, shape):
    deep = "[" * 100_000 + "]" * 100_000
    data = {
        "list": f'[{{"user_name": "alpha", "post_id": {deep}}}]',
        "object": f'{{"data": {deep}}}',
        "lines": f'{{"user_name": "alpha", "text": {deep}}}\n',
    }[shape]
    with pytest.raises(ImportFileError) as info:
        run(data.encode(), name="deep.json", format=format)
    assert info.value.code == "invalid_json" and "deep.json" in info.value.message
    assert not Post.objects.exists()


def test_a_nested_json_value_the_parser_could_read_is_a_bad_row_never_printed():
    nested = "[" * 900 + "]" * 900  # readable by json, but str() of it recurses
    record = (
        '{{"user_name": {user}, "post_id": "n{n}", "text": {text}, "timestamp": {time}, '
        '"like": 1, "video": false}}'
    )
    lines = [
        record.format(user='"alpha"', n=1, text=nested, time='"2024-01-01"'),
        record.format(user=nested, n=2, text='"x"', time='"2024-01-01"'),
        record.format(user='"alpha"', n=3, text='"x"', time=nested),
        record.format(user='"alpha"', n=4, text='"fine"', time='"2024-01-01"'),
    ]
    report = run("\n".join(lines).encode(), name="nested.jsonl")
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (1, "text"),
        (2, "user_name"),
        (3, "timestamp"),
    ]
    assert list(captions()) == ["n4"]


def test_a_json_number_of_thousands_of_digits_is_a_clear_error_not_a_crash():
    data = '[{"user_name": "alpha", "like": ' + "9" * 5000 + "}]"
    with pytest.raises(ImportFileError) as info:
        run(data.encode(), name="big.json")
    assert info.value.code == "invalid_json"


def posts_for(*ids) -> bytes:
    return csv_text([["alpha", i, "글", "2024-01-01", 1, "false"] for i in ids]).encode()


def test_a_zip_member_with_a_bad_crc_is_a_bad_row_and_the_rest_imports(tmp_path, settings):
    archive = tmp_path / "images.zip"
    good, damaged = jpeg_bytes(), jpeg_bytes(color=(10, 200, 30))
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("a1.jpg", good)
        zf.writestr("a2.jpg", damaged)
    raw = bytearray(archive.read_bytes())
    second = raw.find(damaged)
    raw[second + len(damaged) // 2] ^= 0xFF  # the bytes change, the stored CRC does not
    archive.write_bytes(bytes(raw))
    report = run(posts_for("a1", "a2", "a3"), images=archive)
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "image")]
    assert "damaged_archive_member" in report.errors[0]["reason"]
    assert report.images_stored == 1 and sorted(captions()) == ["a1", "a3"]


def test_a_symlink_in_the_images_folder_is_never_followed(tmp_path, settings):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(jpeg_bytes(color=(1, 2, 3)))
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "a1.jpg").write_bytes(jpeg_bytes())
    os.symlink(outside, folder / "a2.jpg")
    os.symlink("/etc/passwd", folder / "a3.png")
    report = run(posts_for("a1", "a2", "a3"), images=folder)
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "image"), (4, "image")]
    assert all("unsafe_path" in e["reason"] for e in report.errors)
    assert report.images_stored == 1
    stored = [p for p in media_files(settings.MEDIA_ROOT) if p.parent.name == "posts"]
    assert len(stored) == 1 and sorted(captions()) == ["a1"]


def symlink_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = 0o120777 << 16  # a symlink, as Info-ZIP stores one
    return info


def test_zip_members_that_are_links_or_leave_the_archive_are_never_read(tmp_path, settings):
    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a1.jpg", jpeg_bytes())
        zf.writestr(symlink_member("a2.jpg", "/etc/passwd"), "/etc/passwd")
        zf.writestr("../a3.jpg", jpeg_bytes())
        zf.writestr("/abs/a4.jpg", jpeg_bytes())
        zf.writestr("..\\..\\a5.jpg", jpeg_bytes())
    report = run(posts_for("a1", "a2", "a3", "a4", "a5"), images=archive)
    assert [(e["row"], e["column"]) for e in report.errors] == [(r, "image") for r in (3, 4, 5, 6)]
    assert all("unsafe_path" in e["reason"] for e in report.errors)
    assert report.images_stored == 1 and sorted(captions()) == ["a1"]


def test_bad_rows_are_reported_and_good_rows_imported_in_every_format():
    people = "user_name,gender,size\nalpha,F,S\ngamma,X,M\n"
    rows = [
        ["alpha", "g1", "좋은 글", "2024-01-01", 1, "false"],
        ["alpha", "g2", "좋아요 abc", "2024-01-01", "abc", "false"],
        ["alpha", "g1", "중복", "2024-01-01", 1, "false"],
        ["alpha", "g3", "다른 좋은 글", "2024-01-01", 2, "false"],
    ]
    for data in (csv_text(rows).encode("cp949"), xlsx_bytes(rows)):
        Post.objects.all().delete()
        report = run(data, people=people)
        assert [(e["row"], e["column"], e["reason"]) for e in report.errors] == [
            (3, "like", "not a number: 'abc'"),
            (4, "post_id", "duplicate of row 2"),
        ]
        assert shown(report.influencer_errors) == [
            {"row": 3, "line": 3, "column": "gender", "reason": "unknown gender: 'X' (use F or M)"}
        ]
        assert sorted(captions()) == ["g1", "g3"]
        again = run(data, people=people)
        assert (again.posts_created, again.posts_updated, again.posts_unchanged) == (0, 0, 2)


def test_the_parser_reports_the_encoding_it_read():
    assert crawl_posts_parse(csv_text(KOREAN_ROWS).encode("cp949"), "p.csv").encoding == "CP949"


def test_a_random_byte_file_is_refused_clearly_never_an_exception():
    rng = random.Random(15)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        try:
            report = run(b"user_name,post_id,text,timestamp,like,video\n" + data, people=None)
        except ImportFileError:
            continue
        assert report.posts_created == 0  # no influencer file: every row names an unknown one


# --- the documentation and the limits are the code's ----------------------------------------


def test_every_csv_example_in_the_import_docs_imports_without_a_bad_row(settings):
    from pathlib import Path

    doc = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in doc.split("```csv\n")[1:]]
    people = [b for b in blocks if b.startswith("user_name,gender")]
    posts = [b for b in blocks if "post_id" in b.splitlines()[0]]
    assert len(people) == 1 and len(posts) == 2
    for block in posts:
        report = run(block.encode(), people=people[0])
        assert (report.errors, report.influencer_errors) == ([], [])
    assert Influencer.objects.get().followers == 12_000
    assert Post.objects.get(instagram_id="Cx1").caption == "#협찬 @example_brand \n\n새 트레이닝복"
    assert Post.objects.get(instagram_id="Cx1").prototype_style == "sporty"


def test_the_imports_limits_are_the_database_fields_own():
    from django.db.backends.base.operations import BaseDatabaseOperations

    from influencers import constants

    post, influencer = Post._meta, Influencer._meta
    assert post.get_field("instagram_id").max_length == constants.POST_ID_MAX_LENGTH
    assert influencer.get_field("display_name").max_length == constants.DISPLAY_NAME_MAX_LENGTH
    assert influencer.get_field("handle").max_length >= constants.INSTAGRAM_HANDLE_MAX_LENGTH
    ranges = BaseDatabaseOperations.integer_field_ranges
    assert ranges["PositiveIntegerField"] == (0, constants.FOLLOWERS_MAX)  # followers, likes
    assert constants.HEIGHT_CM_MAX <= ranges["PositiveSmallIntegerField"][1]


# --- the same files through the command, the admin page and the API ---------------------------


def test_the_command_reads_a_workbook_and_a_korean_excel_csv(tmp_path):
    from django.core.management import call_command

    posts, people = tmp_path / "posts.xlsx", tmp_path / "people.csv"
    posts.write_bytes(xlsx_bytes(KOREAN_ROWS))
    people.write_bytes("user_name,gender,size\nalpha,여,S\n".encode("cp949"))
    out = io.StringIO()
    call_command("import_posts", str(posts), "--influencers", str(people), stdout=out)
    assert "1 created" in out.getvalue() and "read as xlsx" in out.getvalue()
    assert Post.objects.get().caption == KOREAN_ROWS[0][2]


def test_the_admin_page_and_the_api_read_the_prototypes_table_and_a_workbook(
    client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from influencers.models import ImportJob
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/influencers/influencer/import/",
            {
                "posts_file": SimpleUploadedFile("crawl.csv", prototype_csv()),
                "influencers_file": SimpleUploadedFile(
                    "people.csv", "user_name,gender,size\nOnefence,남,M\n".encode("cp949")
                ),
                "format": "crawl",
            },
        )
    job = ImportJob.objects.get()
    assert (job.status, job.report["posts_created"], job.report["errors"]) == ("done", 5, [])
    assert (job.report["encoding"], job.report["influencers_encoding"]) == ("UTF-8", "CP949")
    page = client.get(f"/admin/influencers/influencer/import/{job.pk}/").content.decode()
    assert "UTF-8 / CP949" in page
    api = APIClient()
    api.force_authenticate(staff)
    data = {
        "posts_file": SimpleUploadedFile("posts.xlsx", xlsx_bytes(KOREAN_ROWS)),
        "influencers_file": SimpleUploadedFile("people.csv", PEOPLE.encode()),
        "format": "crawl",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", data, format="multipart")
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (job["status"], job["report"]["posts_created"], job["report"]["encoding"]) == (
        "done",
        1,
        "xlsx",
    )


def shown(errors: list[dict]) -> list[dict]:
    """Row errors as a person reads them (their code and values are for translation)."""
    return [{k: e[k] for k in ("row", "line", "column", "reason")} for e in errors]
