from celery import shared_task
from django.db import OperationalError

from influencers.models import Influencer
from influencers.summaries import influencer_summary_rebuild


@shared_task(
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=3,
)
def influencer_summary_rebuild_task(influencer_id: int) -> None:
    if Influencer.objects.filter(pk=influencer_id).exists():
        influencer_summary_rebuild(influencer_id=influencer_id)


@shared_task
def classification_reconcile_task() -> int:
    from recommender.classification import posts_classification_reconcile

    return posts_classification_reconcile()


@shared_task(soft_time_limit=3000, time_limit=3300)
def import_job_run_task(job_id: int) -> None:
    from influencers.import_jobs import import_job_run

    import_job_run(job_id=job_id)
