"""Thin Celery tasks of the catalogue: take ids, call one service (imported inside the task)."""

from common.jobs import job_task


@job_task("summary")
def influencer_summary_rebuild_task(influencer_id: int) -> None:
    from influencers.models import Influencer
    from influencers.services.summaries import influencer_summary_rebuild

    if Influencer.objects.filter(pk=influencer_id).exists():
        influencer_summary_rebuild(influencer_id=influencer_id)


@job_task("reconcile")
def influencer_summaries_reconcile_task() -> int:
    from influencers.services.summaries import influencer_summaries_reconcile

    return influencer_summaries_reconcile()


@job_task("import")
def import_job_run_task(job_id: int) -> None:
    from influencers.services.import_jobs import import_job_run

    import_job_run(job_id=job_id)


@job_task("reconcile")
def import_jobs_reconcile_task() -> dict:
    from influencers.services.import_jobs import import_jobs_reconcile

    return import_jobs_reconcile()


@job_task("reconcile")
def post_image_links_reconcile_task() -> int:
    from influencers.services.image_links import post_image_links_reconcile

    return post_image_links_reconcile()


@job_task("image_links")
def post_image_links_fetch_task(post_ids: list[int]) -> dict:
    from influencers.services.image_links import post_image_links_fetch

    return post_image_links_fetch(post_ids=post_ids)


@job_task("image_links")
def influencer_profile_image_fetch_task(influencer_id: int, url: str) -> str:
    from influencers.services.image_links import influencer_profile_image_fetch

    return influencer_profile_image_fetch(influencer_id=influencer_id, url=url)


@job_task("graph_refresh", bind=True)
def refresh_run_task(self, run_id: int) -> None:
    from django.conf import settings

    from common.jobs import previous_run_lost
    from influencers.services.graph_refresh import refresh_run_execute

    refresh_run_execute(
        run_id=run_id,
        slice_seconds=settings.GRAPH_REFRESH_SLICE_SECONDS,
        take_back=previous_run_lost(self),
    )


@job_task("reconcile")
def graph_refresh_schedule_task() -> None:
    from influencers.services.graph_refresh import graph_refresh_schedule

    graph_refresh_schedule()
