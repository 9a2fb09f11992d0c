"""Import speed: 100,000 posts of metadata in each file format, a 400,000-character caption, and
1,000 posts with real 800 px JPEG images.

usage: [DATABASE_URL=postgres://...] python bench/import_speed.py [--posts 100000]
       [--with-images 1000] [--formats csv,cp949,xlsx,xlsx-excel] [--rounds 3]
"""

import argparse
import csv
import io
import os
import random
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from _django import bench_database

SHARED = Path(
    os.environ.get(
        "STYLEMATCH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def export(n_posts: int, n_influencers: int, prefix: str) -> tuple[bytes, bytes]:
    rng = random.Random(0)
    people, posts = io.StringIO(), io.StringIO()
    pw, qw = csv.writer(people), csv.writer(posts)
    pw.writerow(["user_name", "gender", "size", "followers"])
    for i in range(n_influencers):
        pw.writerow([f"{prefix}{i}", "FM"[i % 2], "SML"[i % 3], rng.randint(100, 10**6)])
    qw.writerow(["user_name", "post_id", "text", "timestamp", "like", "video"])
    for j in range(n_posts):
        like = -1 if rng.random() < 0.1 else rng.randint(0, 5000)
        qw.writerow(
            [
                f"{prefix}{j % n_influencers}",
                f"{prefix}p{j}",
                f"오늘의 코디 #데일리룩 {j}",
                "2024-01-01T10:00:00+09:00",
                like,
                "false",
            ]
        )
    return posts.getvalue().encode(), people.getvalue().encode()


def as_format(posts: bytes, format: str) -> bytes:
    """The same table as Korean Excel's CSV (CP949), as a workbook written by openpyxl (and so
    by pandas: every text inline in the sheet) or as Excel writes one (texts in a shared table)."""
    if format == "csv":
        return posts
    if format == "cp949":
        return posts.decode().encode("cp949")
    rows = list(csv.reader(io.StringIO(posts.decode())))
    if format == "xlsx-excel":
        return excel_workbook(rows)
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([int(v) if v.lstrip("-").isdigit() else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def excel_workbook(rows: list[list[str]]) -> bytes:
    """The smallest workbook of the kind Excel saves: numbers as numbers, texts in sharedStrings."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    strings: dict[str, int] = {}
    # Excel states the used range first; without it openpyxl reads the whole sheet to find it.
    last = f"{get_column_letter(max(len(r) for r in rows))}{len(rows)}"
    sheet = [f'<worksheet xmlns="{MAIN}"><dimension ref="A1:{last}"/><sheetData>']
    for r, row in enumerate(rows, start=1):
        sheet.append(f'<row r="{r}">')
        for c, value in enumerate(row, start=1):
            ref = f"{get_column_letter(c)}{r}"
            if value.lstrip("-").isdigit():
                sheet.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                index = strings.setdefault(value, len(strings))
                sheet.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
        sheet.append("</row>")
    sheet.append("</sheetData></worksheet>")
    shared = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{OFFICE}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{OFFICE}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": "".join(sheet),
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{shared}</sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(
                name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml
            )
    return out.getvalue()


def posts_delete() -> None:
    from django.db import connection

    from influencers.models import Post

    with connection.cursor() as cursor:  # a bulk delete without loading 100,000 rows
        cursor.execute(f"DELETE FROM {Post._meta.db_table}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--with-images", type=int, default=1000)
    parser.add_argument("--formats", default="csv,cp949,xlsx,xlsx-excel")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with bench_database() as vendor:
        from django.conf import settings

        from influencers.imports.readers import crawl_posts_parse
        from influencers.services.imports import posts_import

        settings.MEDIA_ROOT = tempfile.mkdtemp()
        posts, people = export(args.posts, 1000, "bench")
        posts_import(
            posts_data=b"user_name,post_id,text,timestamp,like,video\n", influencers_data=people
        )
        formats = args.formats.split(",")
        files = {format: as_format(posts, format) for format in formats}
        reading: dict[str, list[float]] = {format: [] for format in formats}
        importing: dict[str, list[float]] = {format: [] for format in formats}
        encodings = {}
        for _ in range(args.rounds):  # formats interleaved, so that a busy moment hits all
            for format, data in files.items():
                started = time.perf_counter()
                encodings[format] = crawl_posts_parse(data, format).encoding
                reading[format].append(time.perf_counter() - started)
                posts_delete()
                started = time.perf_counter()
                report = posts_import(posts_data=data, posts_name=format)
                importing[format].append(time.perf_counter() - started)
                assert report.posts_created == args.posts and not report.errors, report.errors[:3]
        base = statistics.median(importing[formats[0]])
        for format in formats:
            seconds = statistics.median(importing[format])
            print(
                f"{vendor}: {args.posts} posts of metadata as {format} ({encodings[format]}, "
                f"{len(files[format]) / 2**20:.1f} MB) imported in {seconds:.1f} s "
                f"({seconds / base:.2f}x {formats[0]}); reading the file "
                f"{statistics.median(reading[format]):.1f} s (medians of {args.rounds})"
            )
        started = time.perf_counter()
        again = posts_import(posts_data=posts, influencers_data=people)
        second = time.perf_counter() - started
        print(
            f"{vendor}: re-import of the UTF-8 CSV ({again.posts_unchanged} unchanged) in "
            f"{second:.1f} s"
        )
        huge, huge_people = export(1000, 10, "huge")
        rows = huge.decode().splitlines()
        rows[500] = rows[500].replace("오늘의 코디", "가나다 " * 100_000)  # 400,000 characters
        started = time.perf_counter()
        report = posts_import(posts_data="\n".join(rows).encode(), influencers_data=huge_people)
        print(
            f"{vendor}: 1,000 rows, one with a 400,000-character caption: {report.posts_created} "
            f"posts, {len(report.errors)} bad row ({report.errors[0]['reason']}) in "
            f"{time.perf_counter() - started:.2f} s"
        )
        sources = sorted((SHARED / "kfashion-original").rglob("*.jpg"))
        sources += sorted((SHARED / "clothing-cc0").rglob("*.jpg"))
        if not sources or not args.with_images:
            return
        folder = Path(tempfile.mkdtemp())
        posts, people = export(args.with_images, 50, "img")
        for j in range(args.with_images):
            shutil.copy(sources[j % len(sources)], folder / f"imgp{j}.jpg")
        started = time.perf_counter()
        report = posts_import(posts_data=posts, influencers_data=people, images=folder)
        seconds = time.perf_counter() - started
        print(
            f"{vendor}: {report.posts_created} posts with {report.images_stored} real JPEG images "
            f"({len(sources)} distinct files, K-Fashion 800 px and CC0) in {seconds:.1f} s "
            f"({report.posts_created / seconds:.0f} posts/s)"
        )


if __name__ == "__main__":
    main()
