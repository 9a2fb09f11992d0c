from django.urls import path

from influencers.removal_views import influencer_removal_request

urlpatterns = [
    path("removal-request/", influencer_removal_request, name="influencer_removal_request"),
]
