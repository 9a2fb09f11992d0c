from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.teams.choices import TeamRole
from common.errors import ApplicationError, NotFoundError, RateLimitedError
from common.thumbnails import thumbnail_jpeg
from recommender.constants import HISTORY_THUMBNAIL_PIXELS, RefusalCode
from recommender.forms import RecommendationForm
from recommender.selectors.requests import recommendation_get, recommendation_list
from recommender.services import requests as request_services
from recommender.services.classifiers import active_model_version

HISTORY_PER_PAGE = 12


def home(request):
    form = RecommendationForm.for_user(request.user)
    return render(
        request, "recommender/home.html", {"form": form, "model_version": active_model_version()}
    )


@login_required
@require_http_methods(["POST"])
def recommendation_create(request):
    form = RecommendationForm.for_user(request.user, request.POST, request.FILES)
    status, retry_after = 400, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = request_services.recommendation_create(
                user=request.user,
                image=data["image"],
                mode=data["mode"],
                ranking=data["ranking"],
                gender=data["gender"],
                body_size=data["body_size"],
            )
        except RateLimitedError as exc:
            form.add_error(None, exc.message)
            status, retry_after = 429, exc.retry_after
        except ApplicationError as exc:
            form.add_error(None if exc.code in set(RefusalCode) else "image", exc.message)
        else:
            return redirect("recommendation_detail", pk=created.pk)
    response = render(
        request,
        "recommender/home.html",
        {"form": form, "model_version": active_model_version()},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def recommendation_detail(request, pk):
    item = recommendation_get(user=request.user, request_id=pk)
    return render(request, "recommender/detail.html", {"item": item})


@login_required
def recommendation_fragment(request, pk):
    """The result block alone; the page swaps it in while the request is pending."""
    item = recommendation_get(user=request.user, request_id=pk)
    return render(request, "recommender/_result.html", {"item": item})


@login_required
@require_http_methods(["GET"])
def recommendation_thumbnail(request, pk):
    """The owner's upload, small: the history lists many of them."""
    item = recommendation_get(user=request.user, request_id=pk)
    if not item.image:  # deleted after the retention period
        raise NotFoundError()
    try:
        small = thumbnail_jpeg(name=item.image.name, size=HISTORY_THUMBNAIL_PIXELS)
    except OSError:  # the stored file is gone (storage trouble): no picture, not a 500
        raise NotFoundError() from None
    response = HttpResponse(small, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"  # an upload never changes
    return response


@login_required
def history(request):
    page = Paginator(recommendation_list(user=request.user), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "recommender/history.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_delete(request, pk):
    """Ask first (the page says when the photo belongs to a campaign, which loses it too); only
    the confirmation page's form deletes."""
    item = recommendation_get(user=request.user, request_id=pk, need=TeamRole.MANAGER)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        request_services.recommendation_delete(user=request.user, request_id=item.pk)
        messages.success(request, _("The request was deleted from your history."))
        return redirect("history")
    campaign_image = getattr(item, "campaign_image", None)  # campaigns sit above: no import
    return render(
        request,
        "recommender/delete_confirm.html",
        {"item": item, "campaign": campaign_image.campaign if campaign_image else None},
    )
