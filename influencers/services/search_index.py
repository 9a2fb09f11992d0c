"""What the catalogue search finds an influencer by (InfluencerSearchWords): the words of its
captions and keywords, and the words and every part of its handle and display name.

The caption words are rebuilt with the influencer's summary (influencers/services/summaries.py),
which runs whenever its captions change (import, live refresh through the import, a post removed
or edited by staff); the name words whenever a handle or display name is set (import, tracking,
live refresh, admin). Never at query time: a search reads one indexed row per influencer, not its
posts (docs/search.md).
"""

from collections.abc import Iterable

from influencers.constants import SEARCH_MAX_LENGTH, SEARCH_TOKENS_MAX
from influencers.models import Influencer, InfluencerSearchWords, Post
from influencers.search import (
    NAME_PART_MARK,
    NAME_PART_MIN_LENGTH,
    SEARCH_WORDS_SEPARATOR,
    name_as_searched,
)
from mlcore.keywords import search_tokens, search_words_of


def name_parts(name: str) -> set[str]:
    """Every ending of a handle or display name (lower case) of NAME_PART_MIN_LENGTH characters or
    more, marked: a search word that starts one of them is found anywhere in the name
    ("ook_04" in "look_0412"), as a substring search would find it, through the same index."""
    name = name_as_searched(name)  # one line: the words are separated by line breaks
    return {
        NAME_PART_MARK + name[start:]
        for start in range(len(name) - NAME_PART_MIN_LENGTH + 1)
        if not name[start].isspace()
    }


def search_names_build(handle: str, display_name: str) -> str:
    """The words (a word of one or two letters, 한강, finds them) and parts (name_parts) of a
    handle and display name, one per line."""
    words = {w for name in (handle, display_name) for w in search_words_of(name)}
    words |= name_parts(handle) | name_parts(display_name)
    return SEARCH_WORDS_SEPARATOR.join(sorted(words))


def search_words_build(captions: Iterable[str], keywords: Iterable[str] = ()) -> str:
    """The search words of captions (mlcore.keywords.search_tokens, at most SEARCH_TOKENS_MAX) and
    of the influencer's keywords, one per line; a word longer than a search can be is kept as its
    first SEARCH_MAX_LENGTH characters (a search word matches the start of a word, and
    PostgreSQL's full-text index refuses a word of 2 KB: "ㅋㅋㅋ…" seven hundred times)."""
    words = set(search_tokens(captions, limit=SEARCH_TOKENS_MAX))
    words.update(w for keyword in keywords for w in search_words_of(keyword))
    return SEARCH_WORDS_SEPARATOR.join(sorted({w[:SEARCH_MAX_LENGTH] for w in words}))


def influencer_search_words_rebuild(*, influencer_id: int) -> str:
    """Recompute one influencer's search words from its captions and keywords, and its names."""
    captions = Post.objects.filter(influencer_id=influencer_id).values_list("caption", flat=True)
    keywords, handle, name = Influencer.objects.values_list(
        "keywords", "handle", "display_name"
    ).get(pk=influencer_id)
    keyword_words = [str(item[0] if isinstance(item, list) else item) for item in keywords]
    words = search_words_build(captions.iterator(), keyword_words)
    InfluencerSearchWords.objects.update_or_create(
        influencer_id=influencer_id,
        defaults={"words": words, "names": search_names_build(handle, name)},
    )
    return words


def influencer_search_names_rebuild(*, influencer_ids: Iterable[int]) -> None:
    """Index the handle and display name of these influencers (created or renamed) at once: no
    caption is read, so every path that sets a name can afford it."""
    rows = [
        InfluencerSearchWords(influencer_id=pk, names=search_names_build(handle, name))
        for pk, handle, name in Influencer.objects.filter(pk__in=list(influencer_ids)).values_list(
            "pk", "handle", "display_name"
        )
    ]
    InfluencerSearchWords.objects.bulk_create(
        rows,
        update_conflicts=True,
        update_fields=["names"],
        unique_fields=["influencer"],
        batch_size=500,
    )
