"""Keyword summaries, word clouds and sponsored share per influencer, with debounced rebuilds."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from influencers.models import Influencer, Post, Stopword
from mlcore.keywords import TaggerUnavailable, keywords_extract
from mlcore.wordcloud_render import wordcloud_png

log = logging.getLogger(__name__)
TOP_KEYWORDS = 30


def _pending_key(influencer_id: int) -> str:
    return f"summary-rebuild-pending:{influencer_id}"


def influencer_summary_rebuild(*, influencer_id: int) -> Influencer:
    """Recompute keywords (top 30), the word-cloud PNG and the sponsored share of one influencer."""
    cache.delete(_pending_key(influencer_id))  # changes from now on schedule another rebuild
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
    top = keywords[:TOP_KEYWORDS]
    old_cloud = influencer.wordcloud.name if influencer.wordcloud else ""
    influencer.keywords = [[word, count] for word, count in top]
    influencer.sponsored_share = sponsored / len(captions) if captions else None
    if top:
        png = wordcloud_png(keywords[:80], seed=influencer_id)
        influencer.wordcloud.save(f"{influencer.handle}.png", ContentFile(png), save=False)
    else:
        influencer.wordcloud = ""
    influencer.summary_updated_at = timezone.now()
    influencer.save(
        update_fields=["keywords", "sponsored_share", "wordcloud", "summary_updated_at"]
    )
    Influencer.objects.filter(pk=influencer_id).update(summary_rebuilds=F("summary_rebuilds") + 1)
    if old_cloud and old_cloud != influencer.wordcloud.name:
        influencer.wordcloud.storage.delete(old_cloud)
    return influencer


def influencer_summaries_schedule(*, influencer_ids) -> int:
    """Queue one rebuild per influencer per burst of changes (after the transaction commits)."""
    from influencers.tasks import influencer_summary_rebuild_task

    delay = settings.WORDCLOUD_DEBOUNCE_SECONDS
    scheduled = 0
    for influencer_id in sorted(set(influencer_ids)):
        # The key lives until the rebuild starts; changes meanwhile join that rebuild.
        if cache.add(_pending_key(influencer_id), 1, timeout=delay + 600):
            transaction.on_commit(
                lambda i=influencer_id: _enqueue(influencer_summary_rebuild_task, i, delay)
            )
            scheduled += 1
    return scheduled


def _enqueue(task, influencer_id: int, delay: int) -> None:
    try:
        task.apply_async((influencer_id,), countdown=delay or None)
    except Exception as exc:  # broker down: drop the key so the next change retries
        cache.delete(_pending_key(influencer_id))
        log.warning("could not queue summary rebuild for %s: %s", influencer_id, exc)
