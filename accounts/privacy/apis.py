"""API of data rights: /api/v1/me/export/, /api/v1/me/consent/, /api/v1/me/withdrawal/."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.constants import PASSWORD_MAX_LENGTH
from accounts.privacy.consents import consent_is_current, consents_record, marketing_consent_get
from accounts.privacy.constants import EXPORT_FILENAME, policy_version
from accounts.privacy.export import user_data_export
from accounts.privacy.withdrawal import account_withdrawal_request, deletion_status_token


class DataExportApi(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request):
        """One ZIP of the caller's data as JSON and their photos (never cached)."""
        response = FileResponse(
            user_data_export(user=request.user),
            as_attachment=True,
            filename=EXPORT_FILENAME,
            content_type="application/zip",
        )
        response["Cache-Control"] = "no-store"
        return response


class ConsentInput(serializers.Serializer):
    policy_agreed = serializers.BooleanField()
    marketing_agreed = serializers.BooleanField(required=False, default=False)

    def validate_policy_agreed(self, value):
        if not value:
            raise serializers.ValidationError("The required consent must be true.")
        return value


class ConsentState(serializers.Serializer):
    policy_version = serializers.CharField()
    agreed = serializers.BooleanField()
    marketing_agreed = serializers.BooleanField()


class ConsentApi(APIView):
    # The one endpoint a user who has not agreed yet may call (accounts/privacy/authentication.py).
    policy_consent_exempt = True

    @extend_schema(responses=ConsentState)
    def get(self, request):
        """The current policy version and whether the caller agreed to it."""
        return Response(self._state(request.user))

    @extend_schema(request=ConsentInput, responses=ConsentState)
    def post(self, request):
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        consents_record(user=request.user, marketing=data.validated_data["marketing_agreed"])
        return Response(self._state(request.user))

    @staticmethod
    def _state(user) -> dict:
        return {
            "policy_version": policy_version(),
            "agreed": consent_is_current(user=user),
            "marketing_agreed": marketing_consent_get(user=user),
        }


class WithdrawalInput(serializers.Serializer):
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
    )


class WithdrawalOutput(serializers.Serializer):
    status = serializers.CharField()
    status_url = serializers.URLField()


class WithdrawalApi(APIView):
    policy_consent_exempt = True  # leaving never waits on agreeing

    @extend_schema(request=WithdrawalInput, responses={202: WithdrawalOutput})
    def post(self, request):
        """Close the account now (tokens end) and delete its data in the background; the answer
        gives the status URL, which needs no log-in."""
        data = WithdrawalInput(data=request.data)
        data.is_valid(raise_exception=True)
        deletion = account_withdrawal_request(
            user=request.user, password=data.validated_data["password"]
        )
        token = deletion_status_token(deletion=deletion)
        url = request.build_absolute_uri(reverse("deletion_status", args=[token]))
        return Response(
            {"status": deletion.status, "status_url": url}, status=status.HTTP_202_ACCEPTED
        )
