from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

from common.errors import ApplicationError, NotFoundError, PermissionDeniedError, RateLimitedError


class ChosenLanguageMiddleware(MiddlewareMixin):
    """Korean by default; English only when the user picks it in the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would show a Korean
    service in English to most visitors with an English-language browser.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
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
