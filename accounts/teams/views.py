"""Team pages: members and roles, invitations, the activity list, and accepting a link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.teams import selectors, services
from accounts.teams.choices import TeamRole
from accounts.teams.forms import InviteForm, RoleForm
from common.errors import ApplicationError


@login_required
def team_list(request):
    """The user's teams; a brand account without one gets its own (accounts from before teams
    or made in admin)."""
    teams = list(selectors.team_list_for_member(user=request.user))
    if not teams and request.user.is_brand:
        services.team_personal_ensure(user=request.user)
        teams = list(selectors.team_list_for_member(user=request.user))
    return render(request, "accounts/teams/list.html", {"teams": teams})


def _detail(request, team, *, invite_form=None, status=200):
    is_owner = team.member_role == TeamRole.OWNER
    members = list(selectors.team_members(team=team))
    for membership in members:
        membership.role_form = RoleForm(
            initial={"role": membership.role}, prefix=f"member-{membership.pk}"
        )
    return render(
        request,
        "accounts/teams/detail.html",
        {
            "team": team,
            "is_owner": is_owner,
            "members": members,
            "invitations": selectors.team_invitations_open(team=team) if is_owner else [],
            "invite_form": invite_form or InviteForm(),
            "activity": selectors.team_activity_list(team=team),
            "retention_days": settings.TEAM_ACTIVITY_RETENTION_DAYS,
            "invitation_days": settings.TEAM_INVITATION_MAX_AGE // 86400,
        },
        status=status,
    )


@login_required
def team_detail(request, pk):
    return _detail(request, selectors.team_get_for_member(user=request.user, team_id=pk))


@login_required
@require_POST
def team_invite(request, pk):
    team = selectors.team_get_for_member(user=request.user, team_id=pk, need=TeamRole.OWNER)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.team_member_invite(
                team=team,
                actor=request.user,
                link_for=lambda token: request.build_absolute_uri(
                    reverse("teams:invitation", args=[token])
                ),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("teams:detail", pk=team.pk)
    return _detail(request, team, invite_form=form, status=400)


def _after(request, team, action, message: str):
    """Run a member action; its refusal (the last owner, say) comes back as a message."""
    try:
        action()
    except ApplicationError as exc:
        if exc.status_code != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("teams:detail", pk=team.pk)


@login_required
@require_POST
def team_invitation_cancel(request, pk, invitation_id):
    team = selectors.team_get_for_member(user=request.user, team_id=pk, need=TeamRole.OWNER)
    return _after(
        request,
        team,
        lambda: services.team_invitation_cancel(
            team=team, actor=request.user, invitation_id=invitation_id
        ),
        _("The invitation was cancelled."),
    )


@login_required
@require_POST
def team_member_role(request, pk, membership_id):
    team = selectors.team_get_for_member(user=request.user, team_id=pk, need=TeamRole.OWNER)
    form = RoleForm(request.POST, prefix=f"member-{membership_id}")
    if not form.is_valid():
        messages.error(request, _("Unknown role."))
        return redirect("teams:detail", pk=team.pk)
    return _after(
        request,
        team,
        lambda: services.team_member_role_change(
            team=team,
            actor=request.user,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
        ),
        _("The role was changed."),
    )


@login_required
@require_POST
def team_member_remove(request, pk, membership_id):
    team = selectors.team_get_for_member(user=request.user, team_id=pk, need=TeamRole.OWNER)
    return _after(
        request,
        team,
        lambda: services.team_member_remove(
            team=team, actor=request.user, membership_id=membership_id
        ),
        _("The member was removed; their access ended now."),
    )


@login_required
@require_POST
def team_ownership_transfer(request, pk, membership_id):
    team = selectors.team_get_for_member(user=request.user, team_id=pk, need=TeamRole.OWNER)
    return _after(
        request,
        team,
        lambda: services.team_ownership_transfer(
            team=team, actor=request.user, membership_id=membership_id
        ),
        _("Ownership was handed over; you are now a manager."),
    )


@login_required
@require_POST
def team_leave(request, pk):
    team = selectors.team_get_for_member(user=request.user, team_id=pk)
    try:
        services.team_leave(team=team, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("teams:detail", pk=team.pk)
    messages.success(request, _("You left the team %(team)s.") % {"team": team.name})
    return redirect("teams:list")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """An invitation link: anonymous visitors are asked to log in or sign up (and come back);
    a signed-in brand account with the invited address joins with one button."""
    try:
        invitation = selectors.invitation_from_token(token=token)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        return render(
            request, "accounts/teams/invitation.html", {"problem": exc.message}, status=410
        )
    here = request.get_full_path()
    context = {
        "invitation": invitation,
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": here}),
        "signup_url": reverse("accounts:signup") + "?" + urlencode({"role": "brand", "next": here}),
    }
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.team_invitation_accept(user=request.user, token=token)
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise
            context["problem"] = exc.message
            return render(request, "accounts/teams/invitation.html", context, status=400)
        messages.success(
            request,
            _("You joined %(team)s as %(role)s.")
            % {"team": membership.team.name, "role": TeamRole(membership.role).label},
        )
        return redirect("teams:detail", pk=membership.team_id)
    return render(request, "accounts/teams/invitation.html", context)
