"""REST framework glue: ApplicationError becomes a JSON error with its stable code."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError, RateLimitedError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "detail": exc.message, **exc.extra}
        response = Response(body, status=exc.status_code)
        if isinstance(exc, RateLimitedError):
            response["Retry-After"] = str(exc.retry_after)
        return response
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        if isinstance(response.data, dict) and "detail" in response.data:
            response.data.setdefault("code", getattr(exc.detail, "code", exc.default_code))
    return response


def paginated_response(*, request, view, queryset, serializer_class, context=None):
    """One page of a queryset through a serializer, in the project's pagination envelope."""
    from rest_framework.pagination import PageNumberPagination

    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer_class(page, many=True, context=context or {"request": request}).data
    )
