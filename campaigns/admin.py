from django.contrib import admin

from campaigns.models import Campaign, SavedInfluencer, ShortlistEntry, StageChange


class ShortlistInline(admin.TabularInline):
    model = ShortlistEntry
    extra = 0
    fields = ("handle", "stage", "notes", "stage_changed_at")
    readonly_fields = ("handle", "stage_changed_at")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "team",
        "created_by",
        "target_gender",
        "target_body_size",
        "starts_on",
        "ends_on",
    )
    list_select_related = ("team", "created_by")
    search_fields = ("name", "team__name", "created_by__username")
    inlines = [ShortlistInline]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "note", "changed_by", "changed_at")
    can_delete = False


@admin.register(ShortlistEntry)
class ShortlistEntryAdmin(admin.ModelAdmin):
    list_display = ("handle", "campaign", "stage", "stage_changed_at")
    list_filter = ("stage",)
    list_select_related = ("campaign",)
    inlines = [StageChangeInline]


@admin.register(SavedInfluencer)
class SavedInfluencerAdmin(admin.ModelAdmin):
    list_display = ("handle", "user", "saved_at")
    list_select_related = ("user",)
    search_fields = ("handle", "user__username")
