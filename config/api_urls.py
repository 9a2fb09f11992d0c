from django.urls import path

from accounts.apis import TokenApi
from campaigns import apis as campaign_apis
from influencers import apis as influencer_apis
from recommender import apis as recommender_apis

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("influencers/", influencer_apis.InfluencerListApi.as_view(), name="api-influencers"),
    path(
        "influencers/<str:handle>/",
        influencer_apis.InfluencerDetailApi.as_view(),
        name="api-influencer",
    ),
    path(
        "influencers/<str:handle>/posts/",
        influencer_apis.InfluencerPostsApi.as_view(),
        name="api-influencer-posts",
    ),
    path("imports/", influencer_apis.ImportCreateApi.as_view(), name="api-imports"),
    path("imports/<int:job_id>/", influencer_apis.ImportDetailApi.as_view(), name="api-import"),
    path(
        "recommendations/",
        recommender_apis.RecommendationListApi.as_view(),
        name="api-recommendations",
    ),
    path(
        "recommendations/<int:pk>/",
        recommender_apis.RecommendationDetailApi.as_view(),
        name="api-recommendation",
    ),
    path(
        "influencers/<str:handle>/lookalikes/",
        influencer_apis.InfluencerLookalikesApi.as_view(),
        name="api-influencer-lookalikes",
    ),
    path("campaigns/", campaign_apis.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", campaign_apis.CampaignDetailApi.as_view(), name="api-campaign"),
    path(
        "campaigns/<int:pk>/images/",
        campaign_apis.CampaignImageApi.as_view(),
        name="api-campaign-images",
    ),
    path(
        "campaigns/<int:pk>/shortlist/",
        campaign_apis.ShortlistApi.as_view(),
        name="api-campaign-shortlist",
    ),
    path(
        "campaigns/<int:pk>/shortlist/<int:entry_id>/",
        campaign_apis.ShortlistEntryApi.as_view(),
        name="api-campaign-shortlist-entry",
    ),
    path(
        "campaigns/<int:pk>/shortlist.csv",
        campaign_apis.ShortlistExportApi.as_view(),
        name="api-campaign-export",
    ),
    path("saved/", campaign_apis.SavedListApi.as_view(), name="api-saved"),
    path("saved/<int:saved_id>/", campaign_apis.SavedDetailApi.as_view(), name="api-saved-item"),
]
