from django.core.management.base import BaseCommand

from influencers.services.import_jobs import import_jobs_reconcile
from influencers.services.summaries import influencer_summaries_reconcile
from recommender.services.classification import posts_classification_reconcile
from recommender.services.reclassification import reclassification_reconcile
from recommender.services.requests import recommendation_reconcile


class Command(BaseCommand):
    help = (
        "Re-queue background work stuck past its deadline (what beat runs on a schedule): "
        "recommendations, post classifications, re-classification runs, word-cloud rebuilds and imports."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"recommendations: {recommendation_reconcile()}")
        self.stdout.write(f"posts re-queued: {posts_classification_reconcile()}")
        self.stdout.write(f"re-classification runs re-queued: {reclassification_reconcile()}")
        self.stdout.write(f"word clouds re-queued: {influencer_summaries_reconcile()}")
        self.stdout.write(f"imports: {import_jobs_reconcile()}")
