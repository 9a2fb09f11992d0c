"""API authentication that also asks for the current privacy policy's consent.

A user who has not agreed to the current version gets 403 with the code
`policy_consent_required` on every endpoint, whatever its own permission classes, except the
consent endpoint itself (a view with `policy_consent_exempt = True`).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException

from accounts.privacy.consents import consent_is_current
from accounts.privacy.constants import POLICY_CONSENT_REQUIRED
from accounts.tokens import ApiTokenAuthentication


class PolicyConsentRequired(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _(
        "Agree to the current privacy policy first: POST /api/v1/me/consent/ or the site."
    )
    default_code = POLICY_CONSENT_REQUIRED


class _PolicyChecked:
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            if not getattr(view, "policy_consent_exempt", False) and not consent_is_current(
                user=found[0]
            ):
                raise PolicyConsentRequired()
        return found


class PolicyCheckedTokenAuthentication(_PolicyChecked, ApiTokenAuthentication):
    pass


class PolicyCheckedSessionAuthentication(_PolicyChecked, SessionAuthentication):
    pass


class PolicyCheckedSessionScheme(SessionScheme):
    """The OpenAPI schema describes the session authentication as Django's own."""

    target_class = "accounts.privacy.authentication.PolicyCheckedSessionAuthentication"
