from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "brand_name", "gender", "body_size", "is_staff")
    list_filter = ("role", "gender", "body_size", "is_staff", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("StyleMatch"), {"fields": ("role", "gender", "body_size", "brand_name")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("StyleMatch"), {"fields": ("role", "gender", "body_size", "brand_name")}),
    )
