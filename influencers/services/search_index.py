"""The words the catalogue search finds an influencer's captions and keywords by
(Influencer.search_words).

Rebuilt with the influencer's summary (influencers/services/summaries.py), which runs whenever
its captions change (import, live refresh through the import, a post removed or edited by staff),
never at query time: a search reads one indexed column per influencer, not its posts
(docs/search.md).
"""

from collections.abc import Iterable

from influencers.constants import SEARCH_TOKENS_MAX
from influencers.models import Influencer, Post
from mlcore.keywords import search_tokens, search_words_of


def search_words_build(captions: Iterable[str], keywords: Iterable[str] = ()) -> str:
    """The captions' search words, with the words of the influencer's keywords."""
    words = set(search_tokens(captions, limit=SEARCH_TOKENS_MAX))
    words.update(w for keyword in keywords for w in search_words_of(keyword))
    return " ".join(sorted(words))


def influencer_search_words_rebuild(*, influencer_id: int) -> str:
    """Recompute one influencer's search words from its captions and its stored keywords."""
    captions = Post.objects.filter(influencer_id=influencer_id).values_list("caption", flat=True)
    keywords = Influencer.objects.values_list("keywords", flat=True).get(pk=influencer_id)
    words = search_words_build(
        captions.iterator(), [item[0] if isinstance(item, list) else item for item in keywords]
    )
    Influencer.objects.filter(pk=influencer_id).update(search_words=words)
    return words
