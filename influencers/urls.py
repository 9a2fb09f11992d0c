from django.urls import path

from influencers import converters, views  # noqa: F401 (registers <handle:>)

urlpatterns = [
    path("", views.influencer_list, name="influencer_list"),
    path("<handle:handle>/", views.influencer_detail, name="influencer_detail"),
    path("<handle:handle>/posts/<int:post_id>/", views.post_detail, name="post_detail"),
]
