from django import forms
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BodySize, Gender
from accounts.teams.choices import TeamRole
from accounts.teams.selectors import team_get_for_member
from common.api import MediaNameField, media_url, paginated_response
from common.pagination import CappedCountPagination
from common.permissions import model_permission
from influencers import selectors
from influencers.constants import (
    HANDLE_MAX_LENGTH,
    IMPORT_PERMISSION,
    SAVED_SEARCH_NAME_MAX_LENGTH,
    SAVED_SEARCH_QUERY_MAX_LENGTH,
)
from influencers.filters import InfluencerFilterSet
from influencers.history import HISTORY_WINDOWS, influencer_follower_history
from influencers.models import ImportFormat, ImportJob, Post, SavedSearch, StyleChoices
from influencers.services.import_jobs import import_job_start
from influencers.services.import_mappings import import_mapping_get
from influencers.services.saved_searches import saved_search_create, saved_search_delete


class InfluencerSummaryOutput(serializers.Serializer):
    """The schema of selectors.influencer_summary(), the one builder of an influencer's summary
    (recommendation cards store the same dict); stored file names become URLs here."""

    influencer_id = serializers.IntegerField()
    handle = serializers.CharField()
    display_name = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    body_size = serializers.ChoiceField(choices=BodySize.choices)
    profile_image = MediaNameField()
    followers = serializers.IntegerField(allow_null=True)
    post_count = serializers.IntegerField()
    average_likes = serializers.FloatField()
    engagement_rate = serializers.FloatField(allow_null=True)
    brand_style = serializers.CharField()
    consumer_style = serializers.CharField()
    keywords = serializers.ListField(child=serializers.ListField())
    wordcloud = MediaNameField()
    sponsored_share = serializers.FloatField(allow_null=True)
    is_demo = serializers.BooleanField()
    instagram_url = serializers.URLField(help_text="The account's Instagram profile ('' for demo)")

    def to_representation(self, influencer):
        return summary_with_urls(selectors.influencer_summary(influencer), self.context["request"])


def summary_with_urls(summary: dict, request) -> dict:
    """A stored summary (or card) with its file names turned into absolute URLs."""
    return {
        **summary,
        "profile_image": media_url(request, summary.get("profile_image")),
        "wordcloud": media_url(request, summary.get("wordcloud")),
    }


class InfluencerOutput(InfluencerSummaryOutput):
    height_cm = serializers.IntegerField(allow_null=True)
    bio = serializers.CharField()
    is_active = serializers.BooleanField()
    total_likes = serializers.FloatField()
    style_stats = serializers.DictField()
    # Present only where they apply: on the list (the newest post's image) and in a search.
    cover_image = serializers.URLField(required=False, allow_null=True, read_only=True)
    matching_posts = serializers.IntegerField(required=False, read_only=True)
    snippet = serializers.ListField(child=serializers.DictField(), required=False, read_only=True)

    def to_representation(self, influencer):
        extra = {}
        if hasattr(influencer, "cover_image"):  # from selectors.influencer_list
            extra["cover_image"] = media_url(self.context["request"], influencer.cover_image)
        if hasattr(influencer, "caption_hits"):  # a search: what matched, as the page shows it
            extra["matching_posts"] = influencer.caption_hits
            extra["snippet"] = selectors.caption_snippet(
                influencer.caption_match or "", self.context.get("search", "")
            )
        return {
            **super().to_representation(influencer),
            **extra,
            "height_cm": influencer.height_cm,
            "bio": influencer.bio,
            "is_active": influencer.is_active,
            "total_likes": influencer.total_likes,
            "style_stats": influencer.style_stats,
        }


class InfluencerDetailOutput(InfluencerOutput):
    """One influencer's page as data: the list's fields, the models whose answers the post styles
    are (a demo model's notice, or a real model's held-out figures) and the styles by month."""

    style_models = serializers.ListField(child=serializers.DictField(), read_only=True)
    style_timeline = serializers.DictField(read_only=True)
    # The last 30 and 90 days of refreshes: one point a day and the growth over the window.
    follower_history = serializers.ListField(child=serializers.DictField(), read_only=True)
    refreshed_at = serializers.DateTimeField(allow_null=True, read_only=True)

    def to_representation(self, influencer):
        return {
            **super().to_representation(influencer),
            "style_models": selectors.influencer_style_models(influencer=influencer),
            "style_timeline": selectors.influencer_style_timeline(influencer=influencer),
            "refreshed_at": serializers.DateTimeField().to_representation(influencer.refreshed_at)
            if influencer.refreshed_at
            else None,
            "follower_history": [
                {
                    "days": history["days"],
                    "growth": history["growth"],
                    "points": [
                        {**point, "date": point["date"].isoformat()} for point in history["points"]
                    ],
                }
                for history in (
                    influencer_follower_history(influencer=influencer, days=days)
                    for days in HISTORY_WINDOWS
                )
            ],
        }


class PostOutput(serializers.ModelSerializer):
    image = MediaNameField()
    instagram_url = serializers.SerializerMethodField()

    def get_instagram_url(self, post) -> str:
        """The post on Instagram (its permalink, or built from a short-code id), else ''."""
        return selectors.post_instagram_url(post)

    class Meta:
        model = Post
        fields = (
            "instagram_id",
            "instagram_url",
            "caption",
            "posted_at",
            "likes",
            "effective_likes",
            "likes_imputed",
            "is_video",
            "is_sponsored",
            "image",
            "extra_image_count",
            "predicted_style",
            "style_confidence",
            "classification_status",
            "unclassifiable_reason",
        )


def _filter_parameters(filterset_class) -> list[OpenApiParameter]:
    """The API schema's query parameters, read from the FilterSet the page uses too."""
    found = []
    for name, declared in filterset_class.base_filters.items():
        field = declared.field
        kind = OpenApiTypes.STR
        if isinstance(field, forms.IntegerField):
            kind = OpenApiTypes.INT
        elif isinstance(field, forms.FloatField):
            kind = OpenApiTypes.NUMBER
        choices = getattr(declared, "extra", {}).get("choices")
        found.append(
            OpenApiParameter(
                name,
                kind,
                description=str(declared.label),
                enum=[code for code, _label in choices] if choices else None,
            )
        )
    return found


class InfluencerListApi(APIView):
    @extend_schema(
        parameters=_filter_parameters(InfluencerFilterSet),
        responses=InfluencerOutput(many=True),
    )
    def get(self, request):
        filterset = InfluencerFilterSet(request.query_params)
        if not filterset.is_valid():  # bad values (NUL bytes, out of range, unknown codes): 400
            raise serializers.ValidationError(filterset.errors)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.influencer_list(filters=request.query_params),
            serializer_class=InfluencerOutput,
            context={"request": request, "search": filterset.form.cleaned_data.get("q") or ""},
            pagination_class=CappedCountPagination,
        )


class InfluencerDetailApi(APIView):
    @extend_schema(responses=InfluencerDetailOutput)
    def get(self, request, handle):
        influencer = selectors.influencer_get(
            handle=handle,
            active_only=not selectors.influencer_inactive_visible(user=request.user),
        )
        return Response(InfluencerDetailOutput(influencer, context={"request": request}).data)


class InfluencerPostsFilters(serializers.Serializer):
    style = serializers.ChoiceField(
        choices=StyleChoices.choices, required=False, allow_blank=True, default=""
    )


class InfluencerPostsApi(APIView):
    @extend_schema(parameters=[InfluencerPostsFilters], responses=PostOutput(many=True))
    def get(self, request, handle):
        filters = InfluencerPostsFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        influencer = selectors.influencer_get(
            handle=handle,
            active_only=not selectors.influencer_inactive_visible(user=request.user),
        )
        qs = selectors.influencer_feed(influencer=influencer, limit=None)
        if filters.validated_data["style"]:
            qs = qs.filter(predicted_style=filters.validated_data["style"])
        return paginated_response(
            request=request, view=self, queryset=qs, serializer_class=PostOutput
        )


class ImportJobOutput(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = (
            "id",
            "source_name",
            "format",
            "status",
            "total_rows",
            "processed_rows",
            "report",
            "error",
            "created_at",
            "finished_at",
        )


class ImportInput(serializers.Serializer):
    posts_file = serializers.FileField()
    more_posts_files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="The further pages of a Graph API export split by its paging (the first page "
        "is posts_file); they import as one.",
    )
    influencers_file = serializers.FileField(required=False)
    images_zip = serializers.FileField(required=False)
    format = serializers.ChoiceField(choices=ImportFormat.choices, default=ImportFormat.AUTO)
    account = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=HANDLE_MAX_LENGTH,
        help_text="The account whose posts these are, for an export that does not say (a Graph "
        "API answer without username, a table without an account column).",
    )
    mapping_name = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=100,
        help_text="A column mapping saved in the admin import preview; by default the one saved "
        "for files with the same headers, if any.",
    )


class ImportCreateApi(APIView):
    permission_classes = [IsAuthenticated, model_permission(IMPORT_PERMISSION)]
    parser_classes = [MultiPartParser]

    @extend_schema(request=ImportInput, responses={202: ImportJobOutput})
    def post(self, request):
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = import_job_start(
            user=request.user,
            posts_file=v["posts_file"],
            influencers_file=v.get("influencers_file"),
            images_file=v.get("images_zip"),
            format=v["format"],
            more_posts_files=v["more_posts_files"],
            account=v["account"],
            mapping=import_mapping_get(name=v["mapping_name"]) if v["mapping_name"] else None,
        )
        job.refresh_from_db()
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    permission_classes = [IsAuthenticated, model_permission(IMPORT_PERMISSION)]

    @extend_schema(responses=ImportJobOutput)
    def get(self, request, job_id):
        return Response(ImportJobOutput(selectors.import_job_get(job_id=job_id)).data)


class LookalikeFilters(serializers.Serializer):
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, default=""
    )
    size = serializers.ChoiceField(
        choices=BodySize.choices, required=False, allow_blank=True, default=""
    )


class LookalikeOutput(serializers.Serializer):
    handle = serializers.CharField()
    score = serializers.FloatField()
    consumer_style = serializers.CharField()
    gender = serializers.CharField()
    body_size = serializers.CharField()


class InfluencerLookalikesApi(APIView):
    @extend_schema(parameters=[LookalikeFilters], responses=LookalikeOutput(many=True))
    def get(self, request, handle):
        filters = LookalikeFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        influencer = selectors.influencer_get(handle=handle, active_only=True)
        pairs = selectors.influencer_lookalikes(
            influencer=influencer,
            gender=filters.validated_data["gender"],
            body_size=filters.validated_data["size"],
        )
        return Response(
            [
                {
                    "handle": i.handle,
                    "score": round(score, 4),
                    "consumer_style": i.consumer_style,
                    "gender": i.gender,
                    "body_size": i.body_size,
                }
                for i, score in pairs
            ]
        )


class SavedSearchOutput(serializers.ModelSerializer):
    saved_by = serializers.SerializerMethodField()
    # The asking member's role in the search's team (None for a consumer's personal search).
    role = serializers.CharField(source="member_role", read_only=True, default=None)

    class Meta:
        model = SavedSearch
        fields = ("id", "name", "query", "team", "role", "saved_by", "created_at")

    def get_saved_by(self, saved) -> str:
        return saved.user.get_username()


class SavedSearchInput(serializers.Serializer):
    name = serializers.CharField(max_length=SAVED_SEARCH_NAME_MAX_LENGTH)
    query = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=SAVED_SEARCH_QUERY_MAX_LENGTH,
        help_text="The influencer list's query string (q=...&style=...); only valid filters are "
        "kept.",
    )
    # Default for a brand member: the team they own, else the first they manage (as campaigns).
    team = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class SavedSearchListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SavedSearchOutput(many=True))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.saved_search_list(user=request.user),
            serializer_class=SavedSearchOutput,
        )

    @extend_schema(request=SavedSearchInput, responses={201: SavedSearchOutput})
    def post(self, request):
        data = SavedSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        team = (
            team_get_for_member(user=request.user, team_id=values["team"], need=TeamRole.MANAGER)
            if values["team"]
            else None
        )
        saved = saved_search_create(
            user=request.user, name=values["name"], filters=QueryDict(values["query"]), team=team
        )
        saved = selectors.saved_search_get(user=request.user, saved_search_id=saved.pk)
        return Response(SavedSearchOutput(saved).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SavedSearchOutput)
    def get(self, request, pk):
        saved = selectors.saved_search_get(user=request.user, saved_search_id=pk)
        return Response(SavedSearchOutput(saved).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        saved_search_delete(user=request.user, saved_search_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
