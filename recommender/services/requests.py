"""Recommendation requests: create (upload), process (classify + rank), reconcile, delete."""

import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import BodySize, Gender, Role, User
from accounts.teams.choices import TeamRole
from accounts.teams.models import Team
from accounts.teams.selectors import team_default_for
from common.errors import ApplicationError, RateLimitedError
from common.jobs import claim, deadline_passed_before, enqueue
from common.ratelimit import REFUSED_UPLOADS, UPLOADS, rate_limit_hit
from common.uploads import image_validate, uploaded_file_read
from common.vectors import vector_to_bytes
from mlcore.predictions import StylePrediction
from recommender.constants import (
    PENDING_GRACE_SECONDS,
    STORED_STYLE_DISTRIBUTION,
    RefusalCode,
)
from recommender.models import FailureCode, RecommendationRequest
from recommender.selectors.ranking import RankingQuery, ranking_original, ranking_similarity
from recommender.selectors.requests import recommendation_get
from recommender.services.classifiers import active_model_version, classifier_for, model_label
from recommender.services.user_data import query_photos_delete_on_commit
from recommender.tasks import recommendation_process_task

log = logging.getLogger(__name__)
Status = RecommendationRequest.Status
Ranking = RecommendationRequest.Ranking
# Stored in English, translated where it is shown (templates/recommender/_result.html).
QUEUE_DOWN_MESSAGE = gettext_noop(
    "The work queue is unavailable; your request is kept and will run automatically."
)


def recommendation_create(
    *,
    user: User,
    image,
    mode: str = "",
    ranking: str = "",
    gender: str = "",
    body_size: str = "",
    team: Team | None = None,
) -> RecommendationRequest:
    """Validate the upload, store the request as pending, and queue it after commit.

    gender, body_size: the influencers' filters; blank means any. A brand's request belongs to
    `team` (default: the team the user owns or manages), so the team's members see it with who asked.
    An accepted upload counts toward the upload limit; a refused one (a 400, nothing stored)
    toward the larger limit of refused uploads instead.
    """
    ident = str(user.pk)
    rate_limit_hit(scope=UPLOADS, ident=ident, count=False)
    rate_limit_hit(scope=REFUSED_UPLOADS, ident=ident, count=False)
    if team is None and user.is_brand:
        team = team_default_for(user=user)
    try:
        mode, ranking, gender, body_size, validated = _upload_validate(
            user=user, image=image, mode=mode, ranking=ranking, gender=gender, body_size=body_size
        )
    except RateLimitedError:
        raise
    except ApplicationError:
        rate_limit_hit(scope=REFUSED_UPLOADS, ident=ident)
        raise
    rate_limit_hit(scope=UPLOADS, ident=ident)
    file = validated.as_file()
    stored = default_storage.save(f"queries/{file.name}", file)
    try:
        with transaction.atomic():
            request = RecommendationRequest.objects.create(
                user=user,
                team=team,
                image=stored,
                mode=mode,
                ranking=ranking,
                gender=gender,
                body_size=body_size,
            )
            transaction.on_commit(lambda: recommendation_enqueue(request_id=request.pk))
    except BaseException:
        default_storage.delete(stored)  # no file without its row
        raise
    return request


def _upload_validate(*, user: User, image, mode: str, ranking: str, gender: str, body_size: str):
    """The request's fields with the user's defaults, and the validated image; ApplicationError
    (ImageRejected for the image) on the first thing wrong."""
    mode = mode or user.role
    if mode not in Role.values:
        raise ApplicationError(_("Choose brand or consumer mode."), code=RefusalCode.INVALID_MODE)
    ranking = ranking or Ranking.SIMILARITY
    if ranking not in Ranking.values:
        raise ApplicationError(_("Unknown ranking."), code=RefusalCode.INVALID_RANKING)
    # Blank is "any" for everyone (a brand has neither; a consumer may look beyond their own).
    if gender not in ("", *Gender.values) or body_size not in ("", *BodySize.values):
        raise ApplicationError(
            _("Choose a gender and a body size from the list, or any."),
            code=RefusalCode.INVALID_FILTERS,
        )
    validated = image_validate(data=uploaded_file_read(image), filename=getattr(image, "name", ""))
    return mode, ranking, gender, body_size, validated


def recommendation_enqueue(*, request_id: int) -> bool:
    """Hand the request to the workers; when the broker is down it stays pending with a note."""

    def note_queue_down(exc: Exception) -> None:
        RecommendationRequest.objects.filter(pk=request_id, status=Status.PENDING).update(
            status_message=QUEUE_DOWN_MESSAGE
        )

    return enqueue(recommendation_process_task, request_id, on_unavailable=note_queue_down)


def recommendation_process(
    *, request_id: int, previous_run_lost: bool = False
) -> RecommendationRequest | None:
    """Claim a pending request, classify its image, rank, and store the snapshot.

    previous_run_lost: the task was delivered again because the worker running it died, so the
    request may still be marked running by that lost run; claim it anyway (up to the attempts limit:
    an image that kills its worker every time must end failed, not loop).
    """
    if (
        previous_run_lost
        and RecommendationRequest.objects.filter(
            pk=request_id, status=Status.RUNNING, attempts__gte=settings.RECOMMENDATION_MAX_ATTEMPTS
        ).exists()
    ):
        recommendation_fail(
            request_id=request_id,
            reason=_untranslated(FailureCode.GAVE_UP),
            code=FailureCode.GAVE_UP,
        )
        return None
    claimed = claim(
        RecommendationRequest.objects.filter(pk=request_id),
        source=[Status.PENDING, Status.RUNNING] if previous_run_lost else Status.PENDING,
        target=Status.RUNNING,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
        status_message="",
    )
    if not claimed:
        return None  # done already, or another worker has it
    request = RecommendationRequest.objects.get(pk=request_id)
    try:
        _process(request)
    except Exception as exc:  # includes the soft time limit: the request must not stay running
        log.exception("recommendation %s failed", request_id)
        recommendation_fail(request_id=request_id, **_failure(exc))
        return RecommendationRequest.objects.get(pk=request_id)
    return request


def _untranslated(code: FailureCode) -> str:
    """A failure code's label in English, as the reason stored for staff (pages show the code's
    label in the reader's language)."""
    with translation.override(None):
        return str(code.label)


def _failure(exc: Exception) -> dict:
    """The failure's code (shown translated) and its detail (kept for staff)."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return {"code": FailureCode.TIMED_OUT, "reason": "The analysis took too long."}
    if isinstance(exc, ApplicationError):
        code = exc.code if exc.code in FailureCode.values else FailureCode.INTERNAL
        return {"code": code, "reason": exc.message}
    return {
        "code": FailureCode.INTERNAL,
        "reason": f"Internal error while analysing the image ({type(exc).__name__}).",
    }


def _process(request: RecommendationRequest) -> None:
    if settings.FAULT_INJECTION_PROCESS_DELAY:  # tests only: hold the task so it can be killed
        time.sleep(settings.FAULT_INJECTION_PROCESS_DELAY)
    version = active_model_version()
    if version is None:
        raise ApplicationError(_untranslated(FailureCode.NO_MODEL), code=FailureCode.NO_MODEL)
    with request.image.open("rb") as fp:
        data = fp.read()
    classifier = classifier_for(version)
    prediction = classifier.predict([data])[0]
    if not isinstance(prediction, StylePrediction):
        raise ApplicationError(
            f"The image could not be read: {prediction.reason}", code=FailureCode.CORRUPT_IMAGE
        )
    query = RankingQuery(
        mode=request.mode,
        gender=request.gender,
        body_size=request.body_size,
        probabilities=prediction.probabilities,
        embedding=prediction.embedding,
        k=settings.RECOMMENDATION_TOP_K,
    )
    results = ranking_results(query=query)
    updated = RecommendationRequest.objects.filter(pk=request.pk, status=Status.RUNNING).update(
        status=Status.DONE,
        finished_at=timezone.now(),
        model_version=version,
        model_label=model_label(version, quantized=classifier.quantized),
        predicted_style=query.top_style,
        confidence=query.confidence,
        unlike_training=classifier.unlike_training(prediction),
        style_distribution=[
            [c, round(p, 4)] for c, p in prediction.top_k(STORED_STYLE_DISTRIBUTION)
        ],
        query_probabilities=vector_to_bytes(prediction.probabilities),
        results=results,
        failure_reason="",
        failure_code="",
        status_message="",
    )
    if not updated:
        log.info("recommendation %s was finished elsewhere; result dropped", request.pk)


def ranking_results(*, query: RankingQuery) -> dict:
    """Both rankings of a query, as a request stores them: {ranking: RankingResult.as_dict()}."""
    return {
        Ranking.SIMILARITY.value: ranking_similarity(query).as_dict(),
        Ranking.ORIGINAL.value: ranking_original(query).as_dict(),
    }


def recommendation_fail(*, request_id: int, reason: str, code: str = "") -> None:
    RecommendationRequest.objects.filter(pk=request_id).exclude(status=Status.DONE).update(
        status=Status.FAILED,
        failure_reason=reason[:500],
        failure_code=code,
        finished_at=timezone.now(),
    )


def recommendation_reconcile(*, now=None) -> dict:
    """Re-queue requests stuck pending or running past the deadline; fail them after max attempts."""
    now = now or timezone.now()
    deadline = deadline_passed_before("recommendation", now=now)
    stale_pending = Q(status=Status.PENDING) & (
        Q(claimed_at__lt=deadline)
        | Q(
            claimed_at__isnull=True,
            created_at__lt=now - timezone.timedelta(seconds=PENDING_GRACE_SECONDS),
        )
    )
    stale_running = Q(status=Status.RUNNING, claimed_at__lt=deadline)
    counts = {"requeued": 0, "failed": 0}
    for request in RecommendationRequest.objects.filter(stale_pending | stale_running):
        if request.attempts >= settings.RECOMMENDATION_MAX_ATTEMPTS:
            recommendation_fail(
                request_id=request.pk,
                reason=_untranslated(FailureCode.GAVE_UP),
                code=FailureCode.GAVE_UP,
            )
            counts["failed"] += 1
            continue
        reset = RecommendationRequest.objects.filter(
            pk=request.pk, status=request.status, claimed_at=request.claimed_at
        ).update(status=Status.PENDING, claimed_at=now)
        if reset and recommendation_enqueue(request_id=request.pk):
            counts["requeued"] += 1
    return counts


def recommendation_delete(*, user: User, request_id: int) -> None:
    """The one who asked, or a manager or owner of the request's team, deletes it."""
    request = recommendation_get(user=user, request_id=request_id, need=TeamRole.MANAGER)
    image = request.image.name
    with transaction.atomic():
        request.delete()
        query_photos_delete_on_commit(names=[image] if image else [])  # and its thumbnail
