from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.teams.choices import TeamRole
from accounts.teams.selectors import role_allows, team_get_for_member, team_list_for_member
from campaigns import selectors, services
from campaigns.forms import (
    CampaignForm,
    CampaignImageForm,
    CampaignPickForm,
    InfluencerPickForm,
    StageForm,
)
from common.errors import ApplicationError, NotFoundError, PermissionDeniedError


def brands_only(view):
    """Campaign pages: a consumer gets the page that says what to use instead (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            selectors.campaigns_access_check(user=request.user)
        except PermissionDeniedError:
            return render(request, "campaigns/brands_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _campaign(request, pk, *, need=TeamRole.VIEWER):
    return selectors.campaign_get_for_member(user=request.user, campaign_id=pk, need=need)


@login_required
@brands_only
def campaign_list(request):
    teams = team_list_for_member(user=request.user, need=TeamRole.MANAGER)
    form = CampaignForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team_id = data.pop("team", None)
        try:
            team = (
                team_get_for_member(user=request.user, team_id=team_id, need=TeamRole.MANAGER)
                if team_id
                else None
            )
            campaign = services.campaign_create(user=request.user, team=team, **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/list.html",
        {"campaigns": selectors.campaign_list(user=request.user), "form": form},
    )


def _detail(request, campaign, *, image_form=None, bound=None, status=200):
    """The campaign page; `bound` is the entry form that was just sent and refused, shown with
    what was typed and its error (every other entry gets a fresh form)."""
    shortlist = list(
        campaign.shortlist.select_related("influencer", "added_by").prefetch_related(
            "history__changed_by"
        )
    )
    for entry in shortlist:
        entry.form = bound if bound is not None and bound.entry.pk == entry.pk else None
        entry.form = entry.form or StageForm(entry=entry)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            # Viewers read and export; the forms that change things are for managers and owners.
            "can_edit": role_allows(role=campaign.member_role, need=TeamRole.MANAGER),
            "images": campaign.images.select_related("recommendation__user"),
            "shortlist": shortlist,
            "image_form": image_form or CampaignImageForm(),
        },
        status=status,
    )


@login_required
@brands_only
def campaign_detail(request, pk):
    need = TeamRole.MANAGER if request.method == "POST" else TeamRole.VIEWER
    campaign = _campaign(request, pk, need=need)
    image_form = CampaignImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and image_form.is_valid():
        try:
            services.campaign_image_add(
                campaign=campaign, image=image_form.cleaned_data["image"], user=request.user
            )
        except ApplicationError as exc:
            image_form.add_error("image", exc.message)
        else:
            return redirect("campaign_detail", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return _detail(request, campaign, image_form=image_form, status=status)


@login_required
@brands_only
@require_http_methods(["GET", "POST"])
def campaign_delete(request, pk):
    """Ask first; only the confirmation page's form deletes (the photos stay in the history)."""
    campaign = _campaign(request, pk, need=TeamRole.MANAGER)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.campaign_delete(campaign=campaign, user=request.user)
        messages.success(
            request, _("The campaign “%(name)s” was deleted.") % {"name": campaign.name}
        )
        return redirect("campaign_list")
    return render(request, "campaigns/delete_confirm.html", {"campaign": campaign})


def _wants_json(request) -> bool:
    """Asked by the page's script (fetch), which updates the button in place."""
    return request.headers.get("X-Requested-With") == "fetch"


def _answer(request, *, ok: bool, message: str, fallback: str, state: dict | None = None):
    """A save or shortlist action's answer: JSON for the page's script, else a message and a
    redirect back to the card the form was on."""
    if _wants_json(request):
        level = "success" if ok else "error"
        return JsonResponse(
            {"ok": ok, "message": message, "level": level, **(state or {})},
            status=200 if ok else 400,
        )
    (messages.success if ok else messages.error)(request, message)
    return _back(request, fallback)


@login_required
@require_POST
@brands_only
def shortlist_add(request, pk=None):
    """Add to a campaign's shortlist; the campaign comes from the URL or the form's select."""
    if pk is None:
        pick = CampaignPickForm(request.POST)
        if not pick.is_valid():
            raise NotFoundError()
        pk = pick.cleaned_data["campaign"]
    campaign = _campaign(request, pk, need=TeamRole.MANAGER)
    try:
        entry = services.shortlist_add(
            campaign=campaign, user=request.user, influencer_id=_picked_influencer_id(request)
        )
    except ApplicationError as exc:
        return _answer(
            request, ok=False, message=exc.message, fallback=reverse("campaign_detail", args=[pk])
        )
    return _answer(
        request,
        ok=True,
        message=_("@%(handle)s was added to the shortlist of %(campaign)s.")
        % {"handle": entry.handle, "campaign": campaign.name},
        fallback=reverse("campaign_detail", args=[pk]),
        state={"campaign": campaign.pk, "campaign_url": reverse("campaign_detail", args=[pk])},
    )


@login_required
@require_POST
@brands_only
def shortlist_stage(request, pk, entry_id):
    """One entry's form: a note alone, or a move to an allowed stage (with its note).

    A refused form comes back with what was typed and the reason, never a redirect that loses it.
    """
    campaign = _campaign(request, pk, need=TeamRole.MANAGER)
    entry = selectors.shortlist_entry_get(campaign=campaign, entry_id=entry_id)
    form = StageForm(request.POST, entry=entry)
    if form.is_valid():
        stage, note = form.cleaned_data["stage"], form.cleaned_data["note"]
        try:
            if stage:
                services.shortlist_stage_change(
                    entry=entry, user=request.user, stage=stage, note=note
                )
                messages.success(
                    request,
                    _("@%(handle)s moved to %(stage)s.")
                    % {"handle": entry.handle, "stage": entry.get_stage_display()},
                )
            else:
                services.shortlist_note_add(entry=entry, user=request.user, note=note)
                messages.success(
                    request, _("Note added for @%(handle)s.") % {"handle": entry.handle}
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(reverse("campaign_detail", args=[campaign.pk]) + f"#entry-{entry.pk}")
    return _detail(request, campaign, bound=form, status=400)


@login_required
@brands_only
def shortlist_export(request, pk):
    campaign = _campaign(request, pk)
    response = HttpResponse(
        services.shortlist_export(campaign=campaign, user=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = services.shortlist_export_disposition(campaign=campaign)
    return response


@login_required
def saved_list(request):
    return render(
        request, "campaigns/saved.html", {"saved": selectors.saved_list(user=request.user)}
    )


@login_required
@require_POST
def saved_add(request):
    saved = services.saved_add(user=request.user, influencer_id=_picked_influencer_id(request))
    return _answer(
        request,
        ok=True,
        message=_("@%(handle)s was saved to your list.") % {"handle": saved.handle},
        fallback=reverse("saved_list"),
        state={"saved": True, "remove_url": reverse("saved_remove", args=[saved.pk])},
    )


@login_required
@require_POST
def saved_remove(request, saved_id):
    handle = services.saved_remove(user=request.user, saved_id=saved_id)
    return _answer(
        request,
        ok=True,
        message=_("@%(handle)s was removed from your list.") % {"handle": handle},
        fallback=reverse("saved_list"),
        state={"saved": False, "add_url": reverse("saved_add")},
    )


def _picked_influencer_id(request) -> int:
    form = InfluencerPickForm(request.POST)
    if not form.is_valid():
        raise NotFoundError()
    return form.cleaned_data["influencer_id"]


def _back(request, fallback: str):
    """Return to the page (and the card) the form was on, when it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)
