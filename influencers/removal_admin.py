"""Staff queue of removal requests and the suppression list (imported by influencers/admin.py)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.errors import ApplicationError
from influencers.models import RemovalRequest, SuppressedHandle
from influencers.services.removals import removal_request_approve, removal_request_reject


@admin.register(RemovalRequest)
class RemovalRequestAdmin(admin.ModelAdmin):
    """Approving needs the change permission of removal requests (admin checks it per action)."""

    list_display = ("handle", "contact_email", "status", "created_at", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("handle", "contact_email")
    readonly_fields = (
        "handle",
        "contact_email",
        "reason",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    )
    fields = (*readonly_fields, "staff_note")
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # requests come from the public page

    @admin.action(
        description=_("Approve: delete the account's data and suppress the handle"),
        permissions=["change"],
    )
    def approve(self, request, queryset):
        removed = 0
        for item in queryset:
            removed += removal_request_approve(request_id=item.pk, staff=request.user)
        self.message_user(
            request,
            ngettext(
                "%(n)d influencer deleted; the handles are suppressed.",
                "%(n)d influencers deleted; the handles are suppressed.",
                removed,
            )
            % {"n": removed},
        )

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject(self, request, queryset):
        for item in queryset:
            try:
                removal_request_reject(request_id=item.pk, staff=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"@{item.handle}: {exc.message}", level=messages.ERROR)


@admin.register(SuppressedHandle)
class SuppressedHandleAdmin(admin.ModelAdmin):
    """Every import and refresh skips these handles."""

    list_display = ("handle", "created_at", "removal_request")
    search_fields = ("handle",)
    readonly_fields = ("handle", "created_at", "removal_request")

    def has_add_permission(self, request):
        return False  # a handle is suppressed by approving its removal request

    def has_change_permission(self, request, obj=None):
        return False
