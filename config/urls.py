from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import admin_login, admin_password_change
from common.media import media_serve
from common.views import healthz

admin.site.site_header = _("StyleMatch administration")
admin.site.site_title = _("StyleMatch admin")
# Django's own Korean for its delete action reads stiffly ("선택된 … 을/를 삭제합니다."); our
# catalogue comes first, so naming the message here gives it the wording of our other actions.
gettext_noop("Delete selected %(verbose_name_plural)s")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Admin log-in and password change with the site's rate limits and password cap.
    path("admin/login/", admin_login),
    path("admin/password_change/", admin_password_change),
    path("admin/", admin.site.urls),
    path("", include("accounts.privacy.urls")),
    path("accounts/", include("accounts.urls")),
    path("teams/", include("accounts.teams.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
    path("api/v1/", include("config.api_urls")),
    path("influencers/", include("influencers.urls")),
    path("", include("influencers.removal_urls")),
    path("", include("campaigns.urls")),
    path("", include("recommender.urls")),
]
if not settings.AWS_STORAGE_BUCKET_NAME:
    # Local media: served by Django with nosniff and never as HTML (see common/media.py).
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media_serve, name="media")
    )
