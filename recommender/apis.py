from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BodySize, Gender, Role
from common.api import media_url, paginated_response
from common.style_models import style_model_summary
from influencers.apis import summary_with_urls
from recommender.models import RecommendationRequest
from recommender.presentation import ranking_notices
from recommender.selectors.requests import recommendation_get, recommendation_list
from recommender.services.requests import recommendation_create, recommendation_delete


class RecommendationInput(serializers.Serializer):
    image = serializers.FileField()
    mode = serializers.ChoiceField(choices=Role.choices, required=False)
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        allow_blank=True,
        help_text="The influencers' gender; absent or blank: any.",
    )
    size = serializers.ChoiceField(
        choices=BodySize.choices,
        required=False,
        allow_blank=True,
        help_text="The influencers' body size; absent or blank: any.",
    )
    ranking = serializers.ChoiceField(choices=RecommendationRequest.Ranking.choices, required=False)


@extend_schema_field(OpenApiTypes.OBJECT)
class ResultsField(serializers.Field):
    """The stored snapshot, with stored file names turned into URLs."""

    def to_representation(self, results):
        request = self.context["request"]
        out = {}
        for ranking, block in (results or {}).items():
            cards = [
                {
                    **summary_with_urls(card, request),
                    "evidence": [
                        {**e, "image": media_url(request, e.get("image"))}
                        for e in card.get("evidence", [])
                    ],
                }
                for card in block.get("cards", [])
            ]
            out[ranking] = {**block, "cards": cards, "notices": _notices(block)}
        return out


def _notices(block: dict) -> list[dict]:
    """The page's notices about a result: [{"code", "text", "ko", "en"}], `text` in the language
    the client asked for (Accept-Language), `ko` and `en` both ways."""
    korean = ranking_notices(block, language="ko")
    english = ranking_notices(block, language="en")
    chosen = english if translation.get_language() == "en" else korean
    return [
        {"code": ko["code"], "text": text["text"], "ko": ko["text"], "en": en["text"]}
        for ko, en, text in zip(korean, english, chosen, strict=True)
    ]


class RecommendationOutput(serializers.ModelSerializer):
    size = serializers.CharField(source="body_size")
    results = ResultsField()
    model_is_demo = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    low_confidence = serializers.SerializerMethodField()
    # A team's request shows who asked (teammates see each other's brand recommendations).
    asked_by = serializers.CharField(source="user.username", read_only=True)
    status_message = serializers.SerializerMethodField()
    failure_message = serializers.SerializerMethodField()

    class Meta:
        model = RecommendationRequest
        fields = (
            "id",
            "team",
            "asked_by",
            "status",
            "status_message",
            "failure_reason",
            "failure_code",
            "failure_message",
            "mode",
            "ranking",
            "gender",
            "size",
            "predicted_style",
            "confidence",
            "low_confidence",
            "unlike_training",
            "style_distribution",
            "model_label",
            "model_is_demo",
            "model",
            "results",
            "created_at",
            "finished_at",
        )

    def get_status_message(self, obj) -> str:
        """Stored in English, given in the client's language (Accept-Language)."""
        return gettext(obj.status_message) if obj.status_message else ""

    def get_failure_message(self, obj) -> str:
        """Why it failed, in the client's language; failure_reason keeps the English detail."""
        return obj.failure_message

    def get_model_is_demo(self, obj) -> bool | None:
        return obj.model_version.is_demo if obj.model_version else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_model(self, obj) -> dict | None:
        """The model as the page describes it: a demo's notice (Korean and English), or a real
        model's held-out top-1 and top-3 with its evaluation set's name."""
        version = obj.model_version
        if version is None:
            return None
        return style_model_summary(
            name=version.name, is_demo=version.is_demo, metrics=version.metrics
        )

    def get_low_confidence(self, obj) -> bool | None:
        return (
            None if obj.confidence is None else obj.confidence < settings.LOW_CONFIDENCE_THRESHOLD
        )


class RecommendationListApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=RecommendationOutput(many=True))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=recommendation_list(user=request.user),
            serializer_class=RecommendationOutput,
        )

    @extend_schema(request=RecommendationInput, responses={202: RecommendationOutput})
    def post(self, request):
        data = RecommendationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        created = recommendation_create(
            user=request.user,
            image=v["image"],
            mode=v.get("mode", ""),
            ranking=v.get("ranking", ""),
            gender=v.get("gender", ""),
            body_size=v.get("size", ""),
        )
        created.refresh_from_db()
        body = RecommendationOutput(created, context={"request": request}).data
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api-recommendation", kwargs={"pk": created.pk})
        return response


class RecommendationDetailApi(APIView):
    @extend_schema(responses=RecommendationOutput)
    def get(self, request, pk):
        item = recommendation_get(user=request.user, request_id=pk)
        return Response(RecommendationOutput(item, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        recommendation_delete(user=request.user, request_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
