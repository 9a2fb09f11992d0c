from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

from common.errors import ApplicationError, NotFoundError, PermissionDeniedError, RateLimitedError

API_PATH_PREFIX = "/api/"


def api_language(accept_language: str) -> str | None:
    """The site language an API client asks for in Accept-Language (best q first), or None when
    the header names neither."""
    for code, _quality in translation.trans_real.parse_accept_lang_header(accept_language):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class ChosenLanguageMiddleware(MiddlewareMixin):
    """Pages: Korean by default; English only when the user picks it in the language switcher.
    API (/api/ paths): the client's Accept-Language header decides; without one that names Korean
    or English, the switcher's choice (a signed-in browser), else Korean.

    Django's LocaleMiddleware would follow the browser's Accept-Language on pages too, which would
    show a Korean service in English to most visitors with an English-language browser; an API
    client, though, says which language it reads and has no language menu.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if request.path.startswith(API_PATH_PREFIX):
            language = api_language(request.headers.get("Accept-Language", "")) or language
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        if request.path.startswith(API_PATH_PREFIX):
            patch_vary_headers(response, ("Accept-Language",))
        return response


class ApplicationErrorMiddleware(MiddlewareMixin):
    """Pages: the project's NotFoundError and PermissionDeniedError become Django's 404 and 403;
    a RateLimitedError the 429 page (with Retry-After), any other ApplicationError the 400 page
    with its message.

    The one mapping for pages (the API's is common.api.exception_handler): selectors raise,
    views never translate "not found" by hand, and a stranger's id looks exactly like a missing one.
    """

    def process_exception(self, request, exception):
        if isinstance(exception, NotFoundError):
            return response_for_exception(request, Http404())
        if isinstance(exception, PermissionDeniedError):
            return response_for_exception(request, PermissionDenied(exception.message))
        if isinstance(exception, RateLimitedError):
            response = _error_page(request, "429.html", exception, status=429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        if isinstance(exception, ApplicationError):
            return _error_page(request, "400.html", exception, status=400)
        return None


def _error_page(request, template: str, exception: ApplicationError, *, status: int):
    response = TemplateResponse(request, template, {"exception": exception.message}, status=status)
    return response.render()


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` on every private answer, so no browser, proxy or shared computer
    keeps a copy: any page for a signed-in user (profile, history, results, campaigns, saved),
    every API answer (a token caller is not known to middleware) and every file download (CSV
    exports). Public pages for visitors stay cacheable, and so do images a view already marked
    `private` (a user's own photos: only their browser may keep them, and pages of thumbnails
    would otherwise download every one again).

    The one home of the rule (issue 21): views never set it by hand.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        own_image = response.get("Content-Type", "").startswith("image/") and "private" in (
            response.get("Cache-Control", "")
        )
        if (
            (user is not None and user.is_authenticated and not own_image)
            or request.path_info.startswith(API_PREFIX)
            or response.get("Content-Disposition", "").startswith("attachment")
            or response.get("Content-Type", "").startswith("text/csv")
        ):
            response.headers.pop("Cache-Control", None)  # replaces whatever a view said
            patch_cache_control(response, private=True, no_store=True, max_age=0)
        return response


API_PREFIX = "/api/"
