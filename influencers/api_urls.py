from django.urls import path

from influencers import apis, converters  # noqa: F401 (registers <handle:>)

urlpatterns = [
    path("influencers/", apis.InfluencerListApi.as_view(), name="api-influencers"),
    path("influencers/<handle:handle>/", apis.InfluencerDetailApi.as_view(), name="api-influencer"),
    path(
        "influencers/<handle:handle>/posts/",
        apis.InfluencerPostsApi.as_view(),
        name="api-influencer-posts",
    ),
    path(
        "influencers/<handle:handle>/lookalikes/",
        apis.InfluencerLookalikesApi.as_view(),
        name="api-influencer-lookalikes",
    ),
    path("saved-searches/", apis.SavedSearchListApi.as_view(), name="api-saved-searches"),
    path(
        "saved-searches/<int:pk>/",
        apis.SavedSearchDetailApi.as_view(),
        name="api-saved-search",
    ),
    path("imports/", apis.ImportCreateApi.as_view(), name="api-imports"),
    path("imports/<int:job_id>/", apis.ImportDetailApi.as_view(), name="api-import"),
]
