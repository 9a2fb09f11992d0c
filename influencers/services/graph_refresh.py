"""Live refresh: tracked influencers' profiles and new posts from Instagram's business discovery.

Each account's pages go through the same import service as files (posts_import with the Graph
API reader), so a live page and a saved export become the same rows. A run works through its
influencers in order and records its progress after each one; it stops every call at the rate
limit (paused until the window has passed, resumed by the schedule), stops for good on a refused
token (190), and stops refreshing an account Instagram cannot show (24, 110). Accounts are
written only once all their pages were read, so a run stopped half-way never stores half an
account, and running it again changes nothing for accounts already stored.
"""

import datetime as dt
import json
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.jobs import claim, deadline_passed_before, enqueue, enqueue_on_commit
from influencers.constants import (
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    FOLLOWERS_MAX,
    REFRESH_RUN_ERRORS,
    SUPPRESSED_REASON,
    TRACK_HANDLES_MAX,
)
from influencers.graph.client import GraphClient
from influencers.graph.errors import (
    AccountUnavailable,
    BadResponse,
    GraphError,
    RateLimited,
    TokenInvalid,
)
from influencers.imports import ImportFileError
from influencers.imports.readers import HANDLE
from influencers.models import FollowerSnapshot, ImportFormat, Influencer, Post, RefreshRun
from influencers.services.graph_token import (
    graph_client_build,
    graph_credential_get,
    graph_rate_limit_note,
    graph_token_check,
    graph_token_check_due,
    graph_token_current,
    graph_token_refuse,
    graph_token_refused,
)
from influencers.services.image_links import influencer_profile_image_queue
from influencers.services.imports import influencers_by_handle, posts_import
from influencers.services.search_index import influencer_search_names_rebuild
from influencers.suppression import suppressed_handles
from influencers.tasks import refresh_run_task

log = logging.getLogger(__name__)
Status = RefreshRun.Status
ACTIVE = (Status.QUEUED, Status.RUNNING, Status.PAUSED)


def influencers_track(*, handles: list[str]) -> tuple[list[Influencer], list[str]]:
    """Tracked influencers for these handles (validated as handles; case-insensitive): the known
    ones are tracked again, the others created with gender and body size blank (they need
    curation). Returns them in the order given and the handles created."""
    if len(handles) > TRACK_HANDLES_MAX:
        raise ApplicationError(
            _("At most %(limit)d handles at a time.") % {"limit": TRACK_HANDLES_MAX},
            code="too_many_handles",
        )
    cleaned = [h.strip().lstrip("@") for h in handles if h.strip()]
    bad = [h for h in cleaned if not HANDLE.match(h)]
    if bad:
        raise ApplicationError(
            _("Not an Instagram handle: %(values)s")
            % {"values": ", ".join(repr(h[:40]) for h in bad[:5])},
            code="not_a_handle",
        )
    unique: dict[str, str] = {}
    for handle in cleaned:
        unique.setdefault(handle.lower(), handle)  # handles are unique case-insensitively
    cleaned = list(unique.values())
    # A holder's removal request holds on this path too: the refresh never brings them back.
    suppressed = suppressed_handles(handles=cleaned)
    if suppressed:
        raise ApplicationError(
            _("Removed at the account holder's request, never tracked again: %(values)s")
            % {"values": ", ".join(h for h in cleaned if h.lower() in suppressed)},
            code=SUPPRESSED_REASON,
        )
    with transaction.atomic():
        known = {i.handle.lower(): i for i in influencers_by_handle(set(cleaned))}
        created = [
            Influencer.objects.create(handle=h, tracked=True)
            for h in cleaned
            if h.lower() not in known
        ]
        Influencer.objects.filter(pk__in=[i.pk for i in known.values()]).update(
            tracked=True, refresh_stopped=False
        )
        influencer_search_names_rebuild(influencer_ids=[i.pk for i in created])
    found = {i.handle.lower(): i for i in influencers_by_handle(set(cleaned))}
    return [found[h.lower()] for h in cleaned], [i.handle for i in created]


def refresh_run_create(
    *, influencer_ids: list[int], trigger: str, user=None, queue: bool = True
) -> RefreshRun:
    """A queued run over these influencers; sent to a bulk worker after commit when `queue`."""
    ids = list(dict.fromkeys(int(pk) for pk in influencer_ids))
    with transaction.atomic():
        run = RefreshRun.objects.create(
            trigger=trigger,
            created_by=user,
            influencer_ids=ids,
            total=len(ids),
            queued_at=timezone.now(),
        )
        if queue:
            enqueue_on_commit(refresh_run_task, run.pk)
    return run


def refresh_run_execute(
    *,
    run_id: int,
    progress=None,
    slice_seconds: float | None = None,
    sleep=time.sleep,
    take_back: bool = False,
) -> RefreshRun:
    """Claim a queued (or due paused) run and refresh its influencers from where it stopped.

    `slice_seconds`: hand the run on to a fresh task after this long (workers), so no task nears
    its time limit. `progress(done, total)` is called after each influencer. `take_back`: this
    task's earlier run was lost (common.jobs.previous_run_lost), so the run it left running is
    taken back at once instead of waiting for the schedule's deadline.
    """
    now = timezone.now()
    runs = RefreshRun.objects.filter(pk=run_id)
    claimed = claim(
        runs.filter(Q(resume_at__isnull=True) | Q(resume_at__lte=now)),
        source=[Status.QUEUED, Status.PAUSED, *([Status.RUNNING] if take_back else [])],
        target=Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        resume_at=None,
    )
    run = runs.get()
    if not claimed:
        return run  # delivered twice, paused until later, or finished
    try:
        token = graph_token_current()
    except ApplicationError as exc:
        return _run_finish(run, Status.FAILED, "token_missing", exc.message)
    if not token or not settings.INSTAGRAM_BUSINESS_ACCOUNT_ID:
        return _run_finish(run, Status.FAILED, "token_missing")
    if graph_token_refused(token=token):
        return _run_finish(
            run, Status.FAILED, "token_invalid", graph_credential_get().refused_reason
        )
    limited_until = graph_credential_get().rate_limited_until
    if limited_until and limited_until > now:
        return _run_pause(run, limited_until, "")
    client = graph_client_build(token=token, sleep=sleep)
    client.calls = run.calls  # a resumed run goes on counting
    if graph_token_check_due(token=token, now=now):
        # Keeps the expiry admin warns by current, for a token from the environment too; an
        # unreachable API leaves it unknown and the run goes on (its own calls will tell).
        try:
            graph_token_check(token=token, client=client)
        except SoftTimeLimitExceeded:
            return _run_hand_on(run)
        except TokenInvalid as exc:
            graph_token_refuse(token=token, detail=exc.detail)
            return _run_finish(run, Status.FAILED, exc.code, exc.detail, client)
    started = time.monotonic()
    for influencer_id in run.influencer_ids[run.done :]:
        influencer = Influencer.objects.filter(pk=influencer_id).first()
        try:
            if influencer is not None:
                _refresh_counted(run, influencer, client)
        except SoftTimeLimitExceeded:
            # Past the task's soft limit mid-account: nothing of it was stored; a fresh task
            # takes the run on from this account.
            return _run_hand_on(run)
        except TokenInvalid as exc:
            graph_token_refuse(token=token, detail=exc.detail)
            _influencer_error(influencer, exc)
            return _run_finish(run, Status.FAILED, exc.code, exc.detail, client)
        except RateLimited as exc:
            until = graph_rate_limit_note(seconds=exc.wait_seconds)
            return _run_pause(run, until, exc.detail, client)
        run.done += 1
        run.calls = client.calls
        run.heartbeat_at = timezone.now()
        run.save(
            update_fields=[
                "done",
                "refreshed",
                "failed",
                "posts_created",
                "posts_updated",
                "calls",
                "errors",
                "heartbeat_at",
            ]
        )
        if progress:
            progress(run.done, run.total)
        if slice_seconds is not None and time.monotonic() - started > slice_seconds:
            if run.done < run.total:
                return _run_hand_on(run)
    return _run_finish(run, Status.DONE, "", "", client)


def _refresh_counted(run: RefreshRun, influencer: Influencer, client: GraphClient) -> None:
    """Refresh one account, counting its outcome on the run; token and rate-limit errors rise."""
    try:
        report = influencer_refresh(influencer=influencer, client=client)
    except (TokenInvalid, RateLimited):
        raise
    except GraphError as exc:
        _influencer_error(influencer, exc)
        run.failed += 1
        _run_error(run, influencer.handle, exc.code, exc.detail)
        return
    except ImportFileError as exc:
        _influencer_error(influencer, BadResponse(exc.message))
        run.failed += 1
        _run_error(run, influencer.handle, "import_error", exc.message)
        return
    except (OperationalError, InterfaceError, SoftTimeLimitExceeded):
        raise  # the database or the task's time: the task's retry or hand-on deals with them
    except Exception as exc:  # one account's surprise must not stop the run on it for ever
        log.exception("refresh of @%s failed", influencer.handle)
        failure = GraphError(f"{type(exc).__name__}: {exc}"[:300])
        failure.code = "import_error"
        _influencer_error(influencer, failure)
        run.failed += 1
        _run_error(run, influencer.handle, "import_error", failure.detail)
        return
    run.refreshed += 1
    run.posts_created += report.posts_created
    run.posts_updated += report.posts_updated
    for error in report.errors[:3]:
        _run_error(run, influencer.handle, "import_error", f"{error['column']}: {error['reason']}")


def influencer_refresh(*, influencer: Influencer, client: GraphClient):
    """Read one account's profile and its media down to the first stored post (or
    GRAPH_REFRESH_MAX_PAGES pages), then store them; returns the import's report."""
    pages = []
    after = ""
    for _page in range(max(settings.GRAPH_REFRESH_MAX_PAGES, 1)):
        payload = client.business_discovery(
            influencer.handle, after=after, page_size=settings.GRAPH_MEDIA_PAGE_SIZE
        )
        pages.append(payload)
        media = payload["business_discovery"].get("media")
        media = media if isinstance(media, dict) else {}
        items = media.get("data") if isinstance(media.get("data"), list) else []
        ids = [str(m["id"]) for m in items if isinstance(m, dict) and "id" in m]
        if Post.objects.filter(influencer=influencer, instagram_id__in=ids).exists():
            break  # incremental: what follows is stored already
        paging = media.get("paging") if isinstance(media.get("paging"), dict) else {}
        cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
        after = cursors.get("after") if isinstance(cursors.get("after"), str) else ""
        if not after or len(items) < settings.GRAPH_MEDIA_PAGE_SIZE:
            break
    profile = _profile(pages[0]["business_discovery"])
    report = posts_import(
        posts_data=json.dumps(pages[0]).encode(),
        posts_name=f"@{influencer.handle} page 1",
        format=ImportFormat.GRAPH,
        more_posts=[
            (json.dumps(p).encode(), f"@{influencer.handle} page {n}")
            for n, p in enumerate(pages[1:], start=2)
        ],
    )
    now = timezone.now()
    with transaction.atomic():
        values = {
            "followers": profile["followers"],
            "follows_count": profile["follows"],
            "media_count": profile["media"],
            "refreshed_at": now,
            "refresh_error_code": "",
            "refresh_error_detail": "",
            "refresh_error_at": None,
        }
        if profile["name"]:
            values["display_name"] = profile["name"]
        if profile["bio"] is not None:
            values["bio"] = profile["bio"]
        Influencer.objects.filter(pk=influencer.pk).update(**values)
        if profile["name"]:
            influencer_search_names_rebuild(influencer_ids=[influencer.pk])
        fresh = Influencer.objects.get(pk=influencer.pk)
        FollowerSnapshot.objects.create(
            influencer=fresh,
            taken_at=now,
            followers=profile["followers"],
            follows_count=profile["follows"],
            media_count=profile["media"],
            average_likes=fresh.average_likes if fresh.post_count else None,
            engagement_rate=fresh.engagement_rate,
        )
        influencer_profile_image_queue(influencer=fresh, url=profile["picture_url"])
    return report


def _profile(discovery: dict) -> dict:
    """The profile numbers and texts business discovery gave, checked as an import checks them."""

    def count(key, required=False):
        value = discovery.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= FOLLOWERS_MAX:
            raise BadResponse(f"{key} is not a count: {str(value)[:40]!r}")
        return value

    name, bio = discovery.get("name"), discovery.get("biography")
    return {
        "followers": count("followers_count", required=True),
        "follows": count("follows_count"),
        "media": count("media_count"),
        "name": name.strip()[:DISPLAY_NAME_MAX_LENGTH] if isinstance(name, str) else "",
        "bio": bio[:BIO_MAX_LENGTH] if isinstance(bio, str) else None,
        "picture_url": discovery.get("profile_picture_url"),
    }


def _influencer_error(influencer: Influencer | None, exc: GraphError) -> None:
    if influencer is None:
        return
    values = {
        "refresh_error_code": exc.code,
        "refresh_error_detail": exc.detail[:500],
        "refresh_error_at": timezone.now(),
    }
    if isinstance(exc, AccountUnavailable):
        values["refresh_stopped"] = True
    Influencer.objects.filter(pk=influencer.pk).update(**values)


def _run_error(run: RefreshRun, handle: str, code: str, detail: str) -> None:
    if len(run.errors) < REFRESH_RUN_ERRORS:
        run.errors = [*run.errors, {"handle": handle, "code": code, "detail": detail[:300]}]


def _run_finish(run, status, code="", detail="", client=None) -> RefreshRun:
    run.status, run.error_code, run.error_detail = status, code, (detail or "")[:500]
    run.finished_at = timezone.now()
    if client is not None:
        run.calls = client.calls
    run.save()
    return run


def _run_pause(run, until: dt.datetime, detail: str, client=None) -> RefreshRun:
    """At the rate limit: the run waits for its window; the schedule resumes it at `until`."""
    run.status, run.resume_at = Status.PAUSED, until
    run.error_code, run.error_detail = "rate_limited", (detail or "")[:500]
    if client is not None:
        run.calls = client.calls
    run.save()
    log.info("refresh run %s paused at the rate limit until %s", run.pk, until.isoformat())
    return run


def _run_hand_on(run: RefreshRun) -> RefreshRun:
    run.status, run.queued_at = Status.QUEUED, timezone.now()
    run.save(update_fields=["status", "queued_at"])
    enqueue(refresh_run_task, run.pk)
    return run


def graph_refresh_schedule(*, now=None) -> RefreshRun | None:
    """Beat: resume a paused run whose window has passed, re-queue a run whose worker died, or
    start a run over the tracked influencers refreshed longest ago (never refreshed first)."""
    now = now or timezone.now()
    cutoff = deadline_passed_before("graph_refresh", now=now)
    stuck = RefreshRun.objects.filter(
        Q(status=Status.RUNNING, heartbeat_at__lt=cutoff)
        | Q(status=Status.QUEUED, queued_at__lt=cutoff)
    ).first()
    if stuck is not None:
        claim(
            RefreshRun.objects.filter(pk=stuck.pk),
            source=stuck.status,
            target=Status.QUEUED,
            queued_at=now,
        )
        enqueue(refresh_run_task, stuck.pk)
        return stuck
    paused = RefreshRun.objects.filter(status=Status.PAUSED).first()
    if paused is not None:
        if paused.resume_at is None or paused.resume_at <= now:
            enqueue(refresh_run_task, paused.pk)
        return paused
    if RefreshRun.objects.filter(status__in=ACTIVE).exists():
        return None
    limited_until = graph_credential_get().rate_limited_until
    if limited_until and limited_until > now:
        return None
    try:
        token = graph_token_current()
    except ApplicationError:
        return None
    if not token or not settings.INSTAGRAM_BUSINESS_ACCOUNT_ID or graph_token_refused(token=token):
        return None
    stale = now - dt.timedelta(hours=settings.GRAPH_REFRESH_INTERVAL_HOURS)
    due = list(
        Influencer.objects.filter(tracked=True, refresh_stopped=False)
        .filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=stale))
        .order_by(F("refreshed_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[: settings.GRAPH_REFRESH_BATCH]
    )
    if not due:
        return None
    return refresh_run_create(influencer_ids=due, trigger=RefreshRun.Trigger.SCHEDULE)


def influencers_refresh_now(*, influencer_ids, user=None) -> RefreshRun:
    """Staff's "refresh now": track these influencers again and queue a run over them."""
    ids = list(influencer_ids)
    Influencer.objects.filter(pk__in=ids).update(tracked=True, refresh_stopped=False)
    return refresh_run_create(influencer_ids=ids, trigger=RefreshRun.Trigger.ADMIN, user=user)
