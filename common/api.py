"""REST framework glue: ApplicationError becomes a JSON error with its stable code."""

from django.core.files.storage import default_storage
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError, RateLimitedError


def exception_handler(exc, context):
    """The API's one mapping of errors: ApplicationError (NotFoundError: 404) to its JSON body."""
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


def paginated_response(
    *, request, view, queryset, serializer_class, context=None, pagination_class=None
):
    """One page of a queryset through a serializer, in the project's pagination envelope."""
    paginator = (pagination_class or PageNumberPagination)()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer_class(page, many=True, context=context or {"request": request}).data
    )


def media_url(request, name: str | None) -> str | None:
    """The absolute URL of a stored file name (signed and expiring on S3-compatible storage)."""
    return request.build_absolute_uri(default_storage.url(name)) if name else None


@extend_schema_field(OpenApiTypes.URI)
class MediaNameField(serializers.Field):
    """A stored file (a FieldFile or its name) as an absolute URL."""

    def to_representation(self, value):
        return media_url(self.context["request"], getattr(value, "name", value))
