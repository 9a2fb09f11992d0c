from rest_framework.authtoken.views import ObtainAuthToken

from common.ratelimit import rate_limit_hit


class TokenApi(ObtainAuthToken):
    """Token log-in, throttled per client address like the log-in page (one mechanism)."""

    def post(self, request, *args, **kwargs):
        rate_limit_hit(scope="login", ident=request.META.get("REMOTE_ADDR", "?"))
        return super().post(request, *args, **kwargs)
