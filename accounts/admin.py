from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.models import User

# /admin/login/ counts attempts with the log-in page and caps the password (accounts/forms.py).
admin.site.login_form = AdminLoginForm


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


# Team admin lives with the teams (accounts/teams/admin.py); importing it registers it.
import accounts.teams.admin  # noqa: E402,F401
from accounts.privacy import admin as privacy_admin  # noqa: E402, F401  (data-rights records)
