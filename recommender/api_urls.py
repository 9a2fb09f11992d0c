from django.urls import path

from recommender import apis

urlpatterns = [
    path("recommendations/", apis.RecommendationListApi.as_view(), name="api-recommendations"),
    path(
        "recommendations/<int:pk>/",
        apis.RecommendationDetailApi.as_view(),
        name="api-recommendation",
    ),
]
