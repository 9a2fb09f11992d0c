"""Keyword summaries, word clouds and sponsored share per influencer, with debounced rebuilds."""

import logging
from collections import Counter

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from common.jobs import claim, deadline_passed_before, enqueue, enqueue_on_commit
from influencers.constants import TOP_KEYWORDS, WORD_COUNTS_KEPT, WORDCLOUD_WORDS
from influencers.models import Influencer, Post, Stopword
from influencers.selectors import keyword_catalogue_counts
from influencers.services.search_index import influencer_search_words_rebuild
from influencers.tasks import influencer_summary_rebuild_task
from mlcore.keywords import TaggerUnavailable, keywords_distinctive, keywords_extract
from mlcore.wordcloud_render import wordcloud_png

log = logging.getLogger(__name__)


def influencer_summary_rebuild(*, influencer_id: int) -> Influencer:
    """Recompute keywords (top 30), the word-cloud PNG, the sponsored share and the search words
    of one influencer."""
    # Changes from now on schedule another rebuild instead of joining this one.
    Influencer.objects.filter(pk=influencer_id).update(summary_queued_at=None)
    influencer = Influencer.objects.get(pk=influencer_id)
    captions, sponsored = [], 0
    for caption, is_sponsored in Post.objects.filter(influencer_id=influencer_id).values_list(
        "caption", "is_sponsored"
    ):
        captions.append(caption)
        sponsored += is_sponsored
    stopwords = set(Stopword.objects.values_list("word", flat=True))
    try:
        keywords = keywords_extract(captions, stopwords=stopwords, tagger=settings.KEYWORD_TAGGER)
    except TaggerUnavailable as exc:
        log.error("keyword tagger unavailable, using mecab: %s", exc)
        keywords = keywords_extract(captions, stopwords=stopwords, tagger="mecab")
    ranked = _distinctive_first(keywords, influencer_id=influencer_id)
    top = ranked[:TOP_KEYWORDS]
    old_cloud = influencer.wordcloud.name if influencer.wordcloud else ""
    influencer.keywords = [[word, count] for word, count in top]
    influencer.word_counts = dict(keywords[:WORD_COUNTS_KEPT])
    influencer.sponsored_share = sponsored / len(captions) if captions else None
    if top:
        png = wordcloud_png(ranked[:WORDCLOUD_WORDS], seed=influencer_id)
        influencer.wordcloud.save(f"{influencer.handle}.png", ContentFile(png), save=False)
    else:
        influencer.wordcloud = ""
    influencer.summary_updated_at = timezone.now()
    influencer.save(
        update_fields=[
            "keywords",
            "word_counts",
            "sponsored_share",
            "wordcloud",
            "summary_updated_at",
        ]
    )
    influencer_search_words_rebuild(influencer_id=influencer_id)
    if old_cloud and old_cloud != influencer.wordcloud.name:
        influencer.wordcloud.storage.delete(old_cloud)
    return influencer


def _distinctive_first(keywords: list[tuple[str, int]], *, influencer_id: int):
    """The influencer's (word, count) pairs, the words that tell it apart from the rest of the
    catalogue first (mlcore.keywords.keywords_distinctive), then the others by count; by count
    alone while no other influencer has counts to compare with."""
    others, holders = keyword_catalogue_counts(exclude_influencer_id=influencer_id)
    if not keywords or holders <= 0 or not others:
        return list(keywords)
    counts = dict(keywords)
    catalogue = Counter(others)
    catalogue.update(counts)
    distinctive = [word for word, _z in keywords_distinctive(counts, catalogue)]
    chosen = set(distinctive)
    return [(word, counts[word]) for word in distinctive] + [
        (word, count) for word, count in keywords if word not in chosen
    ]


def influencer_summaries_schedule(*, influencer_ids) -> int:
    """Queue one rebuild per influencer per burst of changes (sent after the transaction commits).

    An influencer whose rebuild is queued but not started joins that rebuild. The claim is one
    conditional UPDATE per influencer (summary_queued_at NULL -> now): of two processes or machines
    scheduling the same influencer at once, exactly one changes the row and queues the rebuild,
    even while the first one's transaction is still open (its row lock makes the second wait, then
    find the row claimed; a rollback releases the claim with the rest of the transaction).
    """
    now = timezone.now()
    scheduled = [
        influencer_id
        for influencer_id in sorted(set(influencer_ids))
        if claim(
            Influencer.objects.filter(pk=influencer_id),
            field="summary_queued_at",
            source=None,
            target=now,
        )
    ]
    for influencer_id in scheduled:
        enqueue_on_commit(
            influencer_summary_rebuild_task,
            influencer_id,
            countdown=settings.WORDCLOUD_DEBOUNCE_SECONDS,
        )
    return len(scheduled)


def influencer_summaries_reconcile(*, now=None) -> int:
    """Re-queue rebuilds queued past the deadline that never started (broker down, lost message)."""
    now = now or timezone.now()
    stuck = list(
        Influencer.objects.filter(
            summary_queued_at__lt=deadline_passed_before("summary", now=now)
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        Influencer.objects.filter(pk__in=stuck).update(summary_queued_at=now)
    for influencer_id in stuck:
        enqueue(influencer_summary_rebuild_task, influencer_id)
    return len(stuck)
