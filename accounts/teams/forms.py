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


class TeamChoiceForm(forms.Form):
    """A form that saves into one of the user's teams (a campaign, a saved search): the choice
    shows when there are two or more; one team, or none yet, needs no question."""

    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False)

    def __init__(self, *args, teams=(), **kwargs):
        """`teams`: those the user may save this to."""
        super().__init__(*args, **kwargs)
        self.fields["team"] = self.fields.pop("team")  # after the form's own fields
        teams = list(teams)
        if len(teams) > 1:
            self.fields["team"].choices = [(t.pk, t.name) for t in teams]
            self.fields["team"].required = True
        else:
            del self.fields["team"]
