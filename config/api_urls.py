from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken

from common.permissions import LoginRateThrottle
from influencers import apis as influencer_apis
from recommender import apis as recommender_apis


class TokenApi(ObtainAuthToken):
    throttle_classes = [LoginRateThrottle]


urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("influencers/", influencer_apis.InfluencerListApi.as_view(), name="api-influencers"),
    path("influencers/<str:handle>/", influencer_apis.InfluencerDetailApi.as_view(),
         name="api-influencer"),
    path("influencers/<str:handle>/posts/", influencer_apis.InfluencerPostsApi.as_view(),
         name="api-influencer-posts"),
    path("imports/", influencer_apis.ImportCreateApi.as_view(), name="api-imports"),
    path("imports/<int:job_id>/", influencer_apis.ImportDetailApi.as_view(), name="api-import"),
    path("recommendations/", recommender_apis.RecommendationListApi.as_view(),
         name="api-recommendations"),
    path("recommendations/<int:pk>/", recommender_apis.RecommendationDetailApi.as_view(),
         name="api-recommendation"),
]
