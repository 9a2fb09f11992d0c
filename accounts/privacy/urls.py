"""Public pages of data rights (no namespace: the footer of every page links to them)."""

from django.urls import path

from accounts.privacy import views

urlpatterns = [
    path("privacy/", views.privacy_policy, name="privacy_policy"),
    path("terms/", views.terms, name="terms"),
    path("accounts/deletion/<str:token>/", views.deletion_status, name="deletion_status"),
]
