from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.constants import PASSWORD_MAX_LENGTH, USERNAME_MAX_LENGTH
from accounts.tokens import api_token_create
from common import ratelimit
from common.ratelimit import client_address, rate_limit_hit


class TokenInput(AuthTokenSerializer):
    username = serializers.CharField(max_length=USERNAME_MAX_LENGTH, write_only=True)
    # Refused before authenticate() hashes it.
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


class TokenApi(ObtainAuthToken):
    """Token log-in, counted per client address together with the log-in page and admin."""

    serializer_class = TokenInput
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def post(self, request, *args, **kwargs):
        """A new token on each log-in (one per script or device), listed in the tokens page."""
        rate_limit_hit(scope=ratelimit.LOGIN, ident=client_address(request))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _token, secret = api_token_create(user=serializer.validated_data["user"])
        return Response({"token": secret})
