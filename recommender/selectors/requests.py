from django.db.models import Q

from accounts.teams.choices import TeamRole
from accounts.teams.selectors import member_role_subquery, role_check, team_list_for_member
from common.errors import NotFoundError
from recommender.models import RecommendationRequest


def recommendation_list(*, user):
    """One's own requests and those of one's teams (brand recommendations are shared), newest
    first; each with the user's `member_role` in its team (None for a request without one)."""
    if not user.is_authenticated:
        return RecommendationRequest.objects.none()
    return (
        RecommendationRequest.objects.filter(
            Q(user=user) | Q(team__in=team_list_for_member(user=user).values("pk"))
        )
        .annotate(member_role=member_role_subquery(user=user))
        .select_related("model_version", "user")
    )


def recommendation_get(*, user, request_id, need: str = TeamRole.VIEWER) -> RecommendationRequest:
    """One of the user's or their teams' requests, or NotFoundError (a stranger's id looks
    exactly like a missing one). The one who asked may do anything with it; a teammate needs
    `need` (PermissionDeniedError: a viewer cannot delete)."""
    try:
        item = recommendation_list(user=user).get(pk=int(request_id))
    except (RecommendationRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError() from None
    if item.user_id != user.pk:
        role_check(role=item.member_role, need=need)
    return item


def recommendation_image_owned(user, name: str) -> bool:
    """Whether `name` is the stored query image of one of the user's (or their teams') requests."""
    return recommendation_list(user=user).filter(image=name).exists()
