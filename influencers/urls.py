from django.urls import path

from influencers import converters, views  # noqa: F401 (registers <handle:>)

urlpatterns = [
    path("", views.influencer_list, name="influencer_list"),
    # "saved-searches" holds a '-', which no handle has: it never hides an influencer's page.
    path("saved-searches/", views.saved_search_list, name="saved_search_list"),
    path("saved-searches/<int:pk>/", views.saved_search_open, name="saved_search_open"),
    path(
        "saved-searches/<int:pk>/delete/",
        views.saved_search_delete_view,
        name="saved_search_delete",
    ),
    path("<handle:handle>/", views.influencer_detail, name="influencer_detail"),
    path("<handle:handle>/posts/<int:post_id>/", views.post_detail, name="post_detail"),
]
