from django.urls import path

from campaigns import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/shortlist/", views.shortlist_add, name="shortlist_add_picked"),
    path("campaigns/<int:pk>/shortlist/", views.shortlist_add, name="shortlist_add"),
    path(
        "campaigns/<int:pk>/shortlist/<int:entry_id>/stage/",
        views.shortlist_stage,
        name="shortlist_stage",
    ),
    path("campaigns/<int:pk>/shortlist.csv", views.shortlist_export, name="shortlist_export"),
    path("saved/", views.saved_list, name="saved_list"),
    path("saved/add/", views.saved_add, name="saved_add"),
    path("saved/<int:saved_id>/remove/", views.saved_remove, name="saved_remove"),
]
