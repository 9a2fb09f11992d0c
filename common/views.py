from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from common.health import health_report


@require_safe  # HEAD too: load balancers probe with it
@never_cache
def healthz(request):
    healthy, report = health_report()
    down = [name for name, part in report.items() if not part["ok"]]
    body = {"status": "ok" if healthy else "down", "down": down, **report}
    return JsonResponse(body, status=200 if healthy else 503)
