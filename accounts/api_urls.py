from django.urls import path

from accounts import apis, security_apis
from accounts.privacy import apis as privacy_apis

urlpatterns = [
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
    path("auth/logout/", security_apis.LogoutApi.as_view(), name="api-logout"),
    path("auth/tokens/", security_apis.ApiTokenListApi.as_view(), name="api-tokens"),
    path(
        "auth/tokens/<int:pk>/", security_apis.ApiTokenDetailApi.as_view(), name="api-token-detail"
    ),
    path("me/export/", privacy_apis.DataExportApi.as_view(), name="api-data-export"),
    path("me/consent/", privacy_apis.ConsentApi.as_view(), name="api-consent"),
    path("me/withdrawal/", privacy_apis.WithdrawalApi.as_view(), name="api-withdrawal"),
]
