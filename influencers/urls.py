from django.urls import path

from influencers import views

urlpatterns = [
    path("", views.influencer_list, name="influencer_list"),
    path("<str:handle>/", views.influencer_detail, name="influencer_detail"),
    path("<str:handle>/posts/<int:post_id>/", views.post_detail, name="post_detail"),
]
