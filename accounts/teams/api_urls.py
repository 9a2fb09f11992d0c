from django.urls import path

from accounts.teams import apis

urlpatterns = [
    path("teams/", apis.TeamListApi.as_view(), name="api-teams"),
    path("teams/<int:pk>/", apis.TeamDetailApi.as_view(), name="api-team"),
]
