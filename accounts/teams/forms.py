from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.teams.choices import INVITABLE_ROLES, TeamRole


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
        initial=TeamRole.MANAGER,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
