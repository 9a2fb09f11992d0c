from django.urls import path

from recommender import views

urlpatterns = [
    path("", views.home, name="home"),
    path("recommendations/", views.recommendation_create, name="recommendation_create"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "recommendations/<int:pk>/result/",
        views.recommendation_fragment,
        name="recommendation_fragment",
    ),
    path(
        "recommendations/<int:pk>/delete/",
        views.recommendation_delete,
        name="recommendation_delete",
    ),
    path(
        "recommendations/<int:pk>/thumbnail.jpg",
        views.recommendation_thumbnail,
        name="recommendation_thumbnail",
    ),
    path("history/", views.history, name="history"),
]
