from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from campaigns import selectors, services
from campaigns.forms import CampaignForm, CampaignImageForm, InfluencerPickForm, StageForm
from common.errors import ApplicationError, NotFoundError


def _brand_only(request):
    if not request.user.is_brand:
        return render(request, "campaigns/brands_only.html", status=403)
    return None


def _campaign(request, pk):
    return selectors.campaign_get(user=request.user, campaign_id=pk)


@login_required
def campaign_list(request):
    if refused := _brand_only(request):
        return refused
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(owner=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/list.html",
        {"campaigns": selectors.campaign_list(user=request.user), "form": form},
    )


@login_required
def campaign_detail(request, pk):
    if refused := _brand_only(request):
        return refused
    campaign = _campaign(request, pk)
    image_form = CampaignImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and image_form.is_valid():
        try:
            services.campaign_image_add(campaign=campaign, image=image_form.cleaned_data["image"])
        except ApplicationError as exc:
            image_form.add_error("image", exc.message)
        else:
            return redirect("campaign_detail", pk=campaign.pk)
    images = campaign.images.select_related("recommendation")
    shortlist = campaign.shortlist.select_related("influencer").prefetch_related("history")
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "images": images,
            "shortlist": shortlist,
            "image_form": image_form,
            "stage_form": StageForm(),
        },
    )


@login_required
@require_POST
def shortlist_add(request, pk):
    if refused := _brand_only(request):
        return refused
    campaign = _campaign(request, pk)
    try:
        entry = services.shortlist_add(
            campaign=campaign, user=request.user, influencer_id=_picked_influencer_id(request)
        )
        messages.success(request, f"@{entry.handle} → {campaign.name}")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def shortlist_stage(request, pk, entry_id):
    if refused := _brand_only(request):
        return refused
    campaign = _campaign(request, pk)
    entry = selectors.shortlist_entry_get(campaign=campaign, entry_id=entry_id)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.shortlist_stage_change(entry=entry, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
def shortlist_export(request, pk):
    if refused := _brand_only(request):
        return refused
    campaign = _campaign(request, pk)
    response = HttpResponse(
        services.shortlist_export_csv(campaign=campaign), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-shortlist.csv"'
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
    messages.success(request, f"@{saved.handle} ✓")
    return _back(request, "saved_list")


@login_required
@require_POST
def saved_remove(request, saved_id):
    services.saved_remove(user=request.user, saved_id=saved_id)
    return redirect("saved_list")


def _picked_influencer_id(request) -> int:
    form = InfluencerPickForm(request.POST)
    if not form.is_valid():
        raise NotFoundError()
    return form.cleaned_data["influencer_id"]


def _back(request, fallback, **kwargs):
    """Return to the page the form was on, when it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, **kwargs)
