"""The API side of account security: one's own API tokens (list, revoke) and log-out."""

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.tokens import api_token_revoke, api_tokens_of, api_tokens_revoke_all


class ApiTokenOutput(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The token this call was made with.")

    class Meta:
        model = ApiToken
        fields = ("id", "prefix", "created", "last_used", "current")

    def get_current(self, token) -> bool:
        return token == self.context["request"].auth


class ApiTokenListApi(APIView):
    """GET: one's tokens (created, last used; never the secret). DELETE: revoke them all."""

    @extend_schema(responses=ApiTokenOutput(many=True))
    def get(self, request):
        tokens = api_tokens_of(user=request.user)
        return Response(ApiTokenOutput(tokens, many=True, context={"request": request}).data)

    @extend_schema(operation_id="auth_tokens_revoke_all", responses={204: None})
    def delete(self, request):
        api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenDetailApi(APIView):
    @extend_schema(operation_id="auth_token_revoke", responses={204: None})
    def delete(self, request, pk):
        api_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutApi(APIView):
    """Log-out: the token this call is made with stops working (a session is ended instead)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            request.auth.delete()
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
