"""Admin of data rights (imported by accounts/admin.py): read-only records."""

from django.contrib import admin

from accounts.privacy.models import AccountDeletion, ConsentRecord, PrivateMediaAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrivateMediaAccess)
class PrivateMediaAccessAdmin(ReadOnlyAdmin):
    """Who among staff opened which user's photo, when: superusers only, nobody edits it."""

    list_display = ("accessed_at", "staff_username", "name", "via")
    list_filter = ("via",)
    search_fields = ("staff_username", "name")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "status", "files_deleted", "attempts", "requested_at", "finished_at")
    list_filter = ("status",)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "version", "agreed", "answered_at")
    list_filter = ("kind", "version", "agreed")
    search_fields = ("user__username",)
