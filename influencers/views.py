from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from influencers import selectors
from influencers.forms import InfluencerFilterForm, LookalikeFilterForm
from influencers.history import HISTORY_WINDOWS, influencer_follower_history
from mlcore.styles import STYLES

INFLUENCERS_PER_PAGE = 24


def influencer_list(request):
    form = InfluencerFilterForm(request.GET)
    filters = form.filters()  # a bad value is left out and said so, never a server error
    page = Paginator(selectors.influencer_list(**filters), INFLUENCERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for influencer in page:
        influencer.snippet = selectors.caption_snippet(
            getattr(influencer, "caption_match", "") or "", filters["search"]
        )
    return render(
        request,
        "influencers/list.html",
        {
            "page": page,
            "form": form,
            "styles": STYLES,
            "params": request.GET,
            "search": filters["search"],
            "style_named": form.style_named_in_search(),
        },
        status=400 if form.errors else 200,
    )


def influencer_detail(request, handle):
    influencer = selectors.influencer_get(handle=handle)
    if not influencer.is_active and not selectors.influencer_inactive_visible(user=request.user):
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
            "style_models": selectors.influencer_style_models(influencer=influencer),
            "timeline": selectors.influencer_style_timeline(influencer=influencer),
            "follower_history": [
                influencer_follower_history(influencer=influencer, days=days)
                for days in HISTORY_WINDOWS
            ],
            "lookalikes": selectors.influencer_lookalikes(
                influencer=influencer,
                **LookalikeFilterForm(request.GET).filters(),
            ),
        },
    )


@vary_on_headers("X-Requested-With")
def post_detail(request, handle, post_id):
    """One post: its own page, or (asked by the viewer script) the viewer's content alone."""
    post = selectors.post_get(
        handle=handle,
        post_id=post_id,
        include_inactive=selectors.influencer_inactive_visible(user=request.user),
    )
    context = {
        "post": post,
        "images": selectors.post_images(posts=[post])[0],  # a carousel's, cover first
        "instagram_url": selectors.post_instagram_url(post),
    }
    if request.headers.get("X-Requested-With") == "fetch":
        return render(request, "influencers/_post.html", context)
    return render(request, "influencers/post.html", context)
