from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BodySize, Gender
from common.api import paginated_response
from common.permissions import model_permission
from influencers import selectors
from influencers.constants import IMPORT_PERMISSION
from influencers.import_jobs import import_job_start
from influencers.models import ImportJob, Influencer, Post, StyleChoices


@extend_schema_field(OpenApiTypes.URI)
class MediaNameField(serializers.Field):
    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.url) if value else None


class InfluencerOutput(serializers.ModelSerializer):
    profile_image = MediaNameField()
    wordcloud = MediaNameField()
    average_likes = serializers.FloatField()
    engagement_rate = serializers.FloatField(allow_null=True)

    class Meta:
        model = Influencer
        fields = (
            "handle",
            "display_name",
            "gender",
            "body_size",
            "height_cm",
            "followers",
            "bio",
            "profile_image",
            "is_active",
            "is_demo",
            "post_count",
            "total_likes",
            "average_likes",
            "engagement_rate",
            "brand_style",
            "consumer_style",
            "style_stats",
            "keywords",
            "wordcloud",
            "sponsored_share",
        )


class PostOutput(serializers.ModelSerializer):
    image = MediaNameField()

    class Meta:
        model = Post
        fields = (
            "instagram_id",
            "caption",
            "posted_at",
            "likes",
            "effective_likes",
            "likes_imputed",
            "is_video",
            "is_sponsored",
            "image",
            "predicted_style",
            "style_confidence",
            "classification_status",
            "unclassifiable_reason",
        )


class InfluencerFilters(serializers.Serializer):
    """List filters; bad values (NUL bytes, out-of-range numbers, unknown codes) are a 400."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    style = serializers.ChoiceField(
        choices=StyleChoices.choices, required=False, allow_blank=True, default=""
    )
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, default=""
    )
    size = serializers.ChoiceField(
        choices=BodySize.choices, required=False, allow_blank=True, default=""
    )
    min_followers = serializers.IntegerField(
        required=False, min_value=0, max_value=2_000_000_000, default=None
    )
    min_engagement = serializers.FloatField(
        required=False, min_value=0, max_value=1_000_000, default=None
    )


class InfluencerListApi(APIView):
    @extend_schema(parameters=[InfluencerFilters], responses=InfluencerOutput(many=True))
    def get(self, request):
        filters = InfluencerFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = selectors.influencer_list(
            search=f["q"],
            style=f["style"],
            gender=f["gender"],
            body_size=f["size"],
            min_followers=f["min_followers"],
        )
        if f["min_engagement"] is not None:
            qs = selectors.influencer_with_min_engagement(qs, f["min_engagement"])
        return paginated_response(
            request=request, view=self, queryset=qs, serializer_class=InfluencerOutput
        )


class InfluencerDetailApi(APIView):
    @extend_schema(responses=InfluencerOutput)
    def get(self, request, handle):
        try:
            influencer = selectors.influencer_get(
                handle=handle, active_only=not request.user.is_staff
            )
        except Influencer.DoesNotExist:
            raise Http404 from None
        return Response(InfluencerOutput(influencer, context={"request": request}).data)


class InfluencerPostsApi(APIView):
    @extend_schema(responses=PostOutput(many=True))
    def get(self, request, handle):
        try:
            influencer = selectors.influencer_get(
                handle=handle, active_only=not request.user.is_staff
            )
        except Influencer.DoesNotExist:
            raise Http404 from None
        qs = Post.objects.filter(influencer=influencer).defer("embedding", "style_probabilities")
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
    influencers_file = serializers.FileField(required=False)
    images_zip = serializers.FileField(required=False)
    format = serializers.ChoiceField(choices=["crawl", "graph"], default="crawl")


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
        )
        job.refresh_from_db()
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    permission_classes = [IsAuthenticated, model_permission(IMPORT_PERMISSION)]

    @extend_schema(responses=ImportJobOutput)
    def get(self, request, job_id):
        try:
            job = ImportJob.objects.get(pk=job_id)
        except ImportJob.DoesNotExist:
            raise Http404 from None
        return Response(ImportJobOutput(job).data)


class LookalikeOutput(serializers.Serializer):
    handle = serializers.CharField()
    score = serializers.FloatField()
    consumer_style = serializers.CharField()
    gender = serializers.CharField()
    body_size = serializers.CharField()


class InfluencerLookalikesApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("gender", str, required=False),
            OpenApiParameter("size", str, required=False),
        ],
        responses=LookalikeOutput(many=True),
    )
    def get(self, request, handle):
        from influencers.lookalikes import influencer_lookalikes

        try:
            influencer = selectors.influencer_get(handle=handle, active_only=True)
        except Influencer.DoesNotExist:
            raise Http404 from None
        pairs = influencer_lookalikes(
            influencer=influencer,
            gender=request.query_params.get("gender", ""),
            body_size=request.query_params.get("size", ""),
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
