from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.privacy.consents import SESSION_KEY, consent_is_current
from accounts.privacy.constants import policy_version

# Paths a user who has not agreed yet may still open: the agreement page itself, the policy texts,
# log-out, leaving and taking one's data along, language, static files and media, the admin, the
# API (which answers its own 403).
_OPEN_PREFIXES = ("/static/", "/media/", "/api/", "/i18n/", "/admin/", "/healthz")


class PolicyConsentMiddleware:
    """Pages: a signed-in user who has not agreed to the current privacy policy version is sent
    to the agreement page (with `next`) until they agree. Remembered in the session per version,
    so an agreed session costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(SESSION_KEY) != policy_version()
            and not self._open(request.path)
        ):
            if not consent_is_current(user=user):
                target = request.get_full_path()
                if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
                    target = "/"
                return redirect(
                    f"{reverse('accounts:policy_consent')}?{urlencode({'next': target})}"
                )
            request.session[SESSION_KEY] = policy_version()
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if path.startswith(_OPEN_PREFIXES):
            return True
        return path in {
            reverse("accounts:policy_consent"),
            reverse("accounts:logout"),
            reverse("accounts:withdrawal"),
            reverse("accounts:data_export"),
            reverse("privacy_policy"),
            reverse("terms"),
        }
