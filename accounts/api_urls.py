from django.urls import path

from accounts import apis, security_apis

urlpatterns = [
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
    path("auth/logout/", security_apis.LogoutApi.as_view(), name="api-logout"),
    path("auth/tokens/", security_apis.ApiTokenListApi.as_view(), name="api-tokens"),
    path(
        "auth/tokens/<int:pk>/", security_apis.ApiTokenDetailApi.as_view(), name="api-token-detail"
    ),
]
