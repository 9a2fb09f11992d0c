from django.core.paginator import Paginator
from django.shortcuts import render

from influencers import selectors
from mlcore.styles import STYLES

INFLUENCERS_PER_PAGE = 24


def influencer_list(request):
    qs = selectors.influencer_list(
        search=request.GET.get("q", ""),
        style=request.GET.get("style", ""),
        gender=request.GET.get("gender", ""),
        body_size=request.GET.get("size", ""),
    )
    page = Paginator(qs, INFLUENCERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "influencers/list.html", {"page": page, "styles": STYLES, "params": request.GET}
    )


def influencer_detail(request, handle):
    influencer = selectors.influencer_get(handle=handle)
    if not influencer.is_active and not request.user.is_staff:
        # Deactivated by staff: say so plainly instead of an error page.
        return render(
            request, "influencers/unavailable.html", {"handle": influencer.handle}, status=410
        )
    return render(
        request,
        "influencers/detail.html",
        {
            "influencer": influencer,
            "posts": selectors.influencer_feed(influencer=influencer),
            "shares": selectors.influencer_style_shares(influencer),
            "lookalikes": selectors.influencer_lookalikes(
                influencer=influencer,
                gender=request.GET.get("gender", ""),
                body_size=request.GET.get("size", ""),
            ),
        },
    )
