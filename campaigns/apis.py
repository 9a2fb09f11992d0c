from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BodySize, Gender
from accounts.teams.choices import TeamRole
from accounts.teams.selectors import team_get_for_member
from campaigns import selectors, services
from campaigns.constants import (
    CAMPAIGN_BRIEF_MAX_LENGTH,
    CAMPAIGN_NAME_MAX_LENGTH,
    SAVED_NOTE_MAX_LENGTH,
    STAGE_NOTE_MAX_LENGTH,
)
from campaigns.models import Campaign, SavedInfluencer, ShortlistEntry, Stage, StageChange
from common.api import paginated_response
from common.parsers import JSONParser


class IsBrand(BasePermission):
    message = selectors.BRANDS_ONLY_MESSAGE

    def has_permission(self, request, view):
        return selectors.campaigns_allowed(user=request.user)


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


class StageChangeOutput(serializers.ModelSerializer):
    # The note's (or the move's) author: teammates share the shortlist.
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = ("from_stage", "to_stage", "note", "changed_at", "changed_by")

    def get_changed_by(self, change) -> str | None:
        return _username(change.changed_by)


class ShortlistEntryOutput(serializers.ModelSerializer):
    history = StageChangeOutput(many=True, read_only=True)
    available = serializers.SerializerMethodField()
    added_by = serializers.SerializerMethodField()

    class Meta:
        model = ShortlistEntry
        fields = (
            "id",
            "handle",
            "stage",
            "notes",
            "added_at",
            "stage_changed_at",
            "available",
            "added_by",
            "history",
        )

    def get_available(self, entry) -> bool:
        return bool(entry.influencer and entry.influencer.is_active)

    def get_added_by(self, entry) -> str | None:
        return _username(entry.added_by)


class CampaignOutput(serializers.ModelSerializer):
    recommendation_ids = serializers.SerializerMethodField()
    shortlist = ShortlistEntryOutput(many=True, read_only=True)
    created_by = serializers.SerializerMethodField()
    # The asking member's role in the campaign's team (what the client may offer).
    role = serializers.CharField(source="member_role", read_only=True, default=None)

    class Meta:
        model = Campaign
        fields = (
            "id",
            "team",
            "role",
            "created_by",
            "name",
            "brief",
            "target_gender",
            "target_body_size",
            "starts_on",
            "ends_on",
            "created_at",
            "recommendation_ids",
            "shortlist",
        )

    def get_created_by(self, campaign) -> str | None:
        return _username(campaign.created_by)

    def get_recommendation_ids(self, campaign) -> list[int]:
        return [image.recommendation_id for image in campaign.images.all()]


class CampaignInput(serializers.Serializer):
    name = serializers.CharField(max_length=CAMPAIGN_NAME_MAX_LENGTH)
    brief = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=CAMPAIGN_BRIEF_MAX_LENGTH
    )
    target_gender = serializers.ChoiceField(choices=Gender.choices)
    target_body_size = serializers.ChoiceField(choices=BodySize.choices)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    # Default: the team the user owns, else the first they manage.
    team = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


def _campaign(request, pk, *, need=TeamRole.VIEWER) -> Campaign:
    return selectors.campaign_get_for_member(
        user=request.user, campaign_id=pk, need=need, with_shortlist=True
    )


class CampaignListApi(APIView):
    permission_classes = [IsAuthenticated, IsBrand]

    @extend_schema(responses=CampaignOutput(many=True))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.campaign_list(user=request.user, with_shortlist=True),
            serializer_class=CampaignOutput,
        )

    @extend_schema(request=CampaignInput, responses={201: CampaignOutput})
    def post(self, request):
        data = CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team_id = values.pop("team")
        team = (
            team_get_for_member(user=request.user, team_id=team_id, need=TeamRole.MANAGER)
            if team_id
            else None
        )
        campaign = services.campaign_create(user=request.user, team=team, **values)
        campaign = selectors.campaign_get_for_member(user=request.user, campaign_id=campaign.pk)
        return Response(CampaignOutput(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsBrand]

    @extend_schema(responses=CampaignOutput)
    def get(self, request, pk):
        return Response(CampaignOutput(_campaign(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.campaign_delete(
            campaign=_campaign(request, pk, need=TeamRole.MANAGER), user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignImageInput(serializers.Serializer):
    image = serializers.FileField()


class CampaignImageApi(APIView):
    permission_classes = [IsAuthenticated, IsBrand]
    parser_classes = [MultiPartParser]

    @extend_schema(request=CampaignImageInput, responses={202: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        campaign = _campaign(request, pk, need=TeamRole.MANAGER)
        data = CampaignImageInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.campaign_image_add(
            campaign=campaign, image=data.validated_data["image"], user=request.user
        )
        return Response(
            {"recommendation_id": image.recommendation_id}, status=status.HTTP_202_ACCEPTED
        )


class ShortlistAddInput(serializers.Serializer):
    influencer_id = serializers.IntegerField()
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=STAGE_NOTE_MAX_LENGTH
    )


class ShortlistApi(APIView):
    permission_classes = [IsAuthenticated, IsBrand]
    parser_classes = [JSONParser]

    @extend_schema(request=ShortlistAddInput, responses={201: ShortlistEntryOutput})
    def post(self, request, pk):
        campaign = _campaign(request, pk, need=TeamRole.MANAGER)
        data = ShortlistAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.shortlist_add(campaign=campaign, user=request.user, **data.validated_data)
        return Response(ShortlistEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class StageInput(serializers.Serializer):
    """A move to another stage (with an optional note), or a note alone (no stage)."""

    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=STAGE_NOTE_MAX_LENGTH
    )

    def validate(self, data):
        if not data.get("stage") and not data.get("note", "").strip():
            raise serializers.ValidationError(
                _("Give a stage to move to, a note, or both."), code="nothing_to_save"
            )
        return data


class ShortlistEntryApi(APIView):
    permission_classes = [IsAuthenticated, IsBrand]
    parser_classes = [JSONParser]

    @extend_schema(request=StageInput, responses=ShortlistEntryOutput)
    def patch(self, request, pk, entry_id):
        entry = selectors.shortlist_entry_get(
            campaign=_campaign(request, pk, need=TeamRole.MANAGER), entry_id=entry_id
        )
        data = StageInput(data=request.data)
        data.is_valid(raise_exception=True)
        stage, note = data.validated_data.get("stage"), data.validated_data["note"]
        if stage:
            entry = services.shortlist_stage_change(
                entry=entry, user=request.user, stage=stage, note=note
            )
        else:
            entry = services.shortlist_note_add(entry=entry, user=request.user, note=note)
        return Response(ShortlistEntryOutput(entry).data)


class ShortlistExportApi(APIView):
    permission_classes = [IsAuthenticated, IsBrand]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk):
        campaign = _campaign(request, pk)
        response = HttpResponse(
            services.shortlist_export(campaign=campaign, user=request.user),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = services.shortlist_export_disposition(campaign=campaign)
        return response


class SavedOutput(serializers.ModelSerializer):
    available = serializers.BooleanField(source="is_available")

    class Meta:
        model = SavedInfluencer
        fields = ("id", "handle", "note", "saved_at", "available")


class SavedInput(serializers.Serializer):
    influencer_id = serializers.IntegerField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=SAVED_NOTE_MAX_LENGTH
    )


class SavedListApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses=SavedOutput(many=True))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.saved_list(user=request.user),
            serializer_class=SavedOutput,
        )

    @extend_schema(request=SavedInput, responses={201: SavedOutput})
    def post(self, request):
        data = SavedInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.saved_add(user=request.user, **data.validated_data)
        return Response(SavedOutput(saved).data, status=status.HTTP_201_CREATED)


class SavedDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, saved_id):
        services.saved_remove(user=request.user, saved_id=saved_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
