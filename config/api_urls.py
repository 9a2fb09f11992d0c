"""The API (/api/v1/): each app's endpoints live in its own api_urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("accounts.teams.api_urls")),
    path("", include("influencers.api_urls")),
    path("", include("recommender.api_urls")),
    path("", include("campaigns.api_urls")),
]
