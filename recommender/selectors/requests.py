from common.errors import NotFoundError
from recommender.models import RecommendationRequest


def recommendation_list(*, user):
    """One's own requests only, newest first."""
    return RecommendationRequest.objects.filter(user=user).select_related("model_version")


def recommendation_get(*, user, request_id) -> RecommendationRequest:
    """The owner's request, or NotFoundError (a stranger's id looks exactly like a missing one)."""
    try:
        return recommendation_list(user=user).get(pk=int(request_id))
    except (RecommendationRequest.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def recommendation_image_owned(user, name: str) -> bool:
    """Whether `name` is the stored query image of one of the user's requests."""
    return RecommendationRequest.objects.filter(user=user, image=name).exists()
