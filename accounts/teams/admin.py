from django.contrib import admin

from accounts.teams.models import Team, TeamActivity, TeamInvitation, TeamMembership


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name", "memberships__user__username")
    inlines = [MembershipInline]


@admin.register(TeamInvitation)
class TeamInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "team", "role", "created_at", "accepted_at", "cancelled_at")
    list_select_related = ("team",)
    search_fields = ("email", "team__name")
    readonly_fields = ("accepted_at", "accepted_by", "invited_by")


@admin.register(TeamActivity)
class TeamActivityAdmin(admin.ModelAdmin):
    list_display = ("created_at", "team", "actor_name", "action", "subject")
    list_select_related = ("team",)
    list_filter = ("action",)
    search_fields = ("team__name", "actor_name", "subject")
    readonly_fields = ("team", "actor", "actor_name", "action", "subject", "created_at")
