from django.urls import path

from campaigns import apis

urlpatterns = [
    path("campaigns/", apis.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", apis.CampaignDetailApi.as_view(), name="api-campaign"),
    path("campaigns/<int:pk>/images/", apis.CampaignImageApi.as_view(), name="api-campaign-images"),
    path(
        "campaigns/<int:pk>/shortlist/", apis.ShortlistApi.as_view(), name="api-campaign-shortlist"
    ),
    path(
        "campaigns/<int:pk>/shortlist/<int:entry_id>/",
        apis.ShortlistEntryApi.as_view(),
        name="api-campaign-shortlist-entry",
    ),
    path(
        "campaigns/<int:pk>/shortlist.csv",
        apis.ShortlistExportApi.as_view(),
        name="api-campaign-export",
    ),
    path("saved/", apis.SavedListApi.as_view(), name="api-saved"),
    path("saved/<int:saved_id>/", apis.SavedDetailApi.as_view(), name="api-saved-item"),
]
