from django.urls import path

from accounts.teams import views

app_name = "teams"
urlpatterns = [
    path("", views.team_list, name="list"),
    path("<int:pk>/", views.team_detail, name="detail"),
    path("<int:pk>/invite/", views.team_invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_id>/cancel/",
        views.team_invitation_cancel,
        name="invitation_cancel",
    ),
    path("<int:pk>/members/<int:membership_id>/role/", views.team_member_role, name="role"),
    path("<int:pk>/members/<int:membership_id>/remove/", views.team_member_remove, name="remove"),
    path(
        "<int:pk>/members/<int:membership_id>/owner/",
        views.team_ownership_transfer,
        name="transfer",
    ),
    path("<int:pk>/leave/", views.team_leave, name="leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
