"""Celery and the background-work toolkit (common/jobs.py): broker, queues, limits, reconcilers.

Every Celery setting links to its documentation:
https://docs.celeryq.dev/en/stable/userguide/configuration.html
"""

from config.env import env

REDIS_URL = env.str("REDIS_URL", default="")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-url
CELERY_BROKER_URL = REDIS_URL or "memory://"
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-backend
# Status lives in the database; the result backend only carries config.ping's answer back.
CELERY_RESULT_BACKEND = REDIS_URL or None
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-ignore-result
CELERY_TASK_IGNORE_RESULT = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-always-eager
# Without a broker, tasks run in-process so the site works on a bare machine.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-eager-propagates
CELERY_TASK_EAGER_PROPAGATES = False
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-serializer
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Background work by latency (common/jobs.py reads these). A user waits for `interactive` work;
# `bulk` work (classification, re-classification, imports, word clouds) runs on its own workers, so
# a recommendation never queues behind a catalogue's worth of batches.
QUEUE_INTERACTIVE = "interactive"
QUEUE_BULK = "bulk"


def _job(kind: str, queue: str, soft_time_limit: int, deadline: int | None = None) -> dict:
    """One kind of background work: its queue, time limits and reconcile deadline (seconds).

    The hard limit leaves the soft limit's handler time to record the failure.
    """
    soft = env.int(f"{kind.upper()}_SOFT_TIME_LIMIT", default=soft_time_limit)
    return {
        "queue": queue,
        "soft_time_limit": soft,
        "time_limit": soft + max(30, soft // 10),
        # Work queued (or silent while running) longer than this is re-queued or failed.
        "deadline": env.int(f"{kind.upper()}_DEADLINE_SECONDS", default=deadline)
        if deadline
        else None,
    }


BACKGROUND_JOBS = {
    "recommendation": _job("recommendation", QUEUE_INTERACTIVE, 120, 300),
    "reconcile": _job("reconcile", QUEUE_INTERACTIVE, 120),
    "classification": _job("classification", QUEUE_BULK, 600, 1800),
    # A run works in slices of RECLASSIFY_SLICE_SECONDS and heartbeats every batch; silent this
    # long means its worker died and the run resumes from its last batch.
    "reclassification": _job("reclassification", QUEUE_BULK, 600, 300),
    "summary": _job("summary", QUEUE_BULK, 120, 900),
    # An import's heartbeat moves with every chunk of rows; silent this long means its worker died.
    "import": _job("import", QUEUE_BULK, 3000, 900),
    # Fetching the image links of one import chunk (up to 2,000 posts, each link bounded by
    # SAFE_FETCH_TIMEOUT_S and its retries).
    "image_links": _job("image_links", QUEUE_BULK, 3000, 3600),
    # A refresh run heartbeats after every account; silent this long means its worker died.
    "graph_refresh": _job("graph_refresh", QUEUE_BULK, 3000, 900),
    # Withdrawal (accounts.privacy.withdrawal): rows and files of one user.
    "account_deletion": _job("account_deletion", QUEUE_BULK, 600, 900),
    # Retention: uploaded query photos past QUERY_PHOTO_RETENTION_DAYS.
    "retention": _job("retention", QUEUE_BULK, 600),
    # Account e-mails (password reset, e-mail change notices): sent by a worker, so a page answers
    # the same whether an account exists or not.
    "mail": _job("mail", QUEUE_INTERACTIVE, 60),
}
# Shared retry policy for transient database errors (a restarted PostgreSQL, a locked SQLite file).
JOB_RETRY = {"max_retries": 3, "retry_backoff": 2, "retry_backoff_max": 60, "retry_jitter": True}
RECOMMENDATION_MAX_ATTEMPTS = env.int("RECOMMENDATION_MAX_ATTEMPTS", default=3)
ACCOUNT_DELETION_MAX_ATTEMPTS = env.int("ACCOUNT_DELETION_MAX_ATTEMPTS", default=5)

# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-default-queue
CELERY_TASK_DEFAULT_QUEUE = QUEUE_INTERACTIVE
# https://docs.celeryq.dev/en/stable/userguide/routing.html#automatic-routing
# Each task goes to its kind's queue (the `job_kind` option common.jobs.job_task sets).
CELERY_TASK_ROUTES = ("common.jobs.route_by_job_kind",)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-soft-time-limit
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-timeout
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-transport-options
# An unacknowledged task is delivered again after the visibility timeout, so it must exceed the
# longest hard limit of any task (else a long import would run twice).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(
        [CELERY_TASK_TIME_LIMIT] + [job["time_limit"] for job in BACKGROUND_JOBS.values()]
    )
    + 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-publish-retry-policy
# A request must not hang when Redis is down: fail fast, keep the row pending, reconcile later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-max-memory-per-child
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1_500_000
)
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
CELERY_BEAT_SCHEDULE = {
    "reconcile-recommendations": {
        "task": "recommender.tasks.recommendation_reconcile_task",
        "schedule": 60.0,
    },
    "reconcile-classification": {
        "task": "recommender.tasks.posts_classification_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-reclassification": {
        "task": "recommender.tasks.reclassification_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-summaries": {
        "task": "influencers.tasks.influencer_summaries_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-imports": {
        "task": "influencers.tasks.import_jobs_reconcile_task",
        "schedule": 300.0,
    },
    "reconcile-image-links": {
        "task": "influencers.tasks.post_image_links_reconcile_task",
        "schedule": 300.0,
    },
    # Queues the tracked influencers whose refresh is older than GRAPH_REFRESH_INTERVAL_HOURS, and
    # resumes a run paused at the rate limit once its window has passed.
    "schedule-graph-refresh": {
        "task": "influencers.tasks.graph_refresh_schedule_task",
        "schedule": 600.0,
    },
    "reconcile-account-deletions": {
        "task": "accounts.tasks.account_deletions_reconcile_task",
        "schedule": 300.0,
    },
    "expire-query-photos": {
        "task": "recommender.tasks.query_photos_expire_task",
        "schedule": 3600.0,
    },
    "prune-team-activity": {
        "task": "accounts.tasks.team_activity_prune_task",
        "schedule": 3600.0,
    },
}

# Fault injection for the reliability tests: seconds a recommendation task waits before working.
FAULT_INJECTION_PROCESS_DELAY = env.float("FAULT_INJECTION_PROCESS_DELAY", default=0)
# ... and seconds a re-classification run waits after each stored batch (a worker to kill mid-run).
FAULT_INJECTION_RECLASSIFY_BATCH_DELAY = env.float(
    "FAULT_INJECTION_RECLASSIFY_BATCH_DELAY", default=0
)
