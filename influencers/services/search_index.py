"""The words the catalogue search finds an influencer by (Influencer.search_words): those of its
captions, keywords, handle and display name.

Rebuilt with the influencer's summary (influencers/services/summaries.py), which runs whenever
its captions change (import, live refresh through the import, a post removed or edited by staff),
never at query time: a search reads one indexed column per influencer, not its posts
(docs/search.md).
"""

from collections.abc import Iterable

from influencers.constants import SEARCH_TOKENS_MAX
from influencers.models import Influencer, Post
from mlcore.keywords import search_tokens, search_words_of


def search_words_build(captions: Iterable[str], names: Iterable[str] = ()) -> str:
    """The captions' search words, with the words of `names`: the influencer's keywords, handle
    and display name (a word of one or two letters, 한강, finds them by their words: a trigram
    index cannot serve so short a search)."""
    words = set(search_tokens(captions, limit=SEARCH_TOKENS_MAX))
    words.update(w for name in names for w in search_words_of(name))
    return " ".join(sorted(words))


def influencer_search_words_rebuild(*, influencer_id: int) -> str:
    """Recompute one influencer's search words from its captions, keywords, handle and name."""
    captions = Post.objects.filter(influencer_id=influencer_id).values_list("caption", flat=True)
    keywords, handle, name = Influencer.objects.values_list(
        "keywords", "handle", "display_name"
    ).get(pk=influencer_id)
    names = [item[0] if isinstance(item, list) else item for item in keywords]
    words = search_words_build(captions.iterator(), [*names, handle, name])
    Influencer.objects.filter(pk=influencer_id).update(search_words=words)
    return words
