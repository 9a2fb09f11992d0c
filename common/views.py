from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.health import health_report


@require_GET
@never_cache
def healthz(request):
    healthy, report = health_report()
    down = [name for name, part in report.items() if not part["ok"]]
    body = {"status": "ok" if healthy else "down", "down": down, **report}
    return JsonResponse(body, status=200 if healthy else 503)


def get_or_404(selector, **kwargs):
    """Call an owner-filtered selector; its NotFoundError becomes the same 404 as a missing id."""
    from django.http import Http404

    from common.errors import NotFoundError

    try:
        return selector(**kwargs)
    except NotFoundError:
        raise Http404 from None
