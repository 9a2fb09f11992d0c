from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import security_views, views
from accounts.privacy import views as privacy_views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", views.profile_edit, name="profile"),
    # Data rights (accounts/privacy/)
    path("consent/", privacy_views.policy_consent, name="policy_consent"),
    path("withdraw/", privacy_views.withdrawal, name="withdrawal"),
    path("export/", privacy_views.data_export, name="data_export"),
    path("marketing/", privacy_views.marketing_consent, name="marketing_consent"),
    path("profile/tokens/", security_views.api_tokens, name="api_tokens"),
    path("email/undo/<str:token>/", security_views.email_change_undo, name="email_change_undo"),
]
