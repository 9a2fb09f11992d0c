"""Staff actions need the model permission, not only is_staff: one check for admin and the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def user_has_model_permission(user, perm: str) -> bool:
    """An active staff account holding `perm` ("app.codename"); superusers hold every one."""
    return bool(
        user and user.is_authenticated and user.is_active and user.is_staff and user.has_perm(perm)
    )


def model_permission(perm: str) -> type[BasePermission]:
    """A DRF permission class for one model permission, e.g. model_permission("app.add_x")."""

    class HasModelPermission(BasePermission):
        message = _("You do not have permission to do this.")

        def has_permission(self, request, view):
            return user_has_model_permission(request.user, perm)

    HasModelPermission.__name__ = f"HasModelPermission[{perm}]"
    return HasModelPermission
