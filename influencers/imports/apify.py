"""Apify's Instagram Scraper: its dataset as JSON (a list of items) or as its CSV export.

The CSV export flattens each item's nested values into headers such as `childPosts/0/displayUrl`
and `images/1`; a JSON item is flattened the same way, so both are read by one path. Fields come
from the alias table (fields.py): ownerUsername, ownerFullName, shortCode (else id), caption,
likesCount (-1 or null: hidden), timestamp, type (Image, Video, Sidecar), url. The images are
links (childPosts' displayUrl, else images, else displayUrl), fetched after the import by
services/image_links.py.
"""

import re

from influencers.imports.readers import Parsed, posts_from_table
from influencers.imports.tabular import Table, table_read

_INDEXED = re.compile(r"^(?P<base>[a-z]+)/(?P<n>\d+)(?:/(?P<rest>[a-z]+))?$")
# Apify's items nest three levels (childPosts/0/displayUrl); deeper values are left unread, so a
# hostile file nested as deep as the JSON parser allows cannot exhaust the stack.
FLATTEN_DEPTH = 6


def apify_posts_parse(
    data: bytes, name: str, *, account: str = "", mapping: dict | None = None, **_options
) -> Parsed:
    table = table_read(data, name, required=())
    flat = Table(encoding=table.encoding, unreadable=table.unreadable)
    for row, record in table.records:
        # The nested values stay under their own names too: a caption that is an object is a bad
        # row (not an empty caption), a hashtags list reads as its tags.
        item = {
            **_flatten(record),
            **{k: v for k, v in record.items() if isinstance(v, dict | list)},
        }
        flat.records.append((row, item))
        flat.columns.update(item)
    flat.columns.update(c for c in table.columns if "/" in c)  # a CSV's headers as they are
    return posts_from_table(
        flat,
        name,
        account=account,
        mapping=mapping,
        unescape=False,
        hidden_when_empty=True,
        record_images=apify_image_urls,
    )


def _flatten(value, prefix: str = "", depth: int = 0) -> dict:
    """{`a/0/b`: value} as Apify's CSV export writes a nested item (keys in lower case)."""
    if depth >= FLATTEN_DEPTH:
        return {prefix: value}
    if isinstance(value, dict):
        found = {}
        for key, inner in value.items():
            key = str(key).strip().lower()
            found.update(_flatten(inner, f"{prefix}/{key}" if prefix else key, depth + 1))
        return found
    if isinstance(value, list) and prefix:
        found = {}
        for n, inner in enumerate(value):
            found.update(_flatten(inner, f"{prefix}/{n}", depth + 1))
        return found
    return {prefix: value}


def apify_image_urls(record: dict) -> list[str]:
    """A post's image links in order: its childPosts' displayUrl (an album), else its images,
    else its displayUrl."""
    children, images = {}, {}
    for key, value in record.items():
        match = _INDEXED.match(key)
        if not match or not value:
            continue
        n = int(match["n"])
        if match["base"] == "childposts" and match["rest"] == "displayurl":
            children[n] = value
        elif match["base"] == "images" and not match["rest"]:
            images[n] = value
    for found in (children, images):
        if found:
            return [str(found[n]) for n in sorted(found)]
    cover = record.get("displayurl")
    return [str(cover)] if cover else []
