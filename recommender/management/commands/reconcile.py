from django.core.management.base import BaseCommand

from recommender.classification import posts_classification_reconcile
from recommender.services import recommendation_reconcile


class Command(BaseCommand):
    help = "Re-queue recommendations and post classifications stuck past their deadline."

    def handle(self, *args, **options):
        counts = recommendation_reconcile()
        posts = posts_classification_reconcile()
        self.stdout.write(f"recommendations {counts}; posts re-queued {posts}")
