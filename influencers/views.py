from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.models import BodySize, Gender
from accounts.teams.choices import TeamRole
from accounts.teams.selectors import role_allows, team_get_for_member, team_list_for_member
from common.errors import ApplicationError
from common.pagination import CappedCountPaginator
from influencers import selectors
from influencers.filters import InfluencerFilterSet
from influencers.forms import LookalikeFilterForm, SavedSearchForm
from influencers.history import HISTORY_WINDOWS, influencer_follower_history
from influencers.search import style_named
from influencers.services.saved_searches import (
    saved_search_create,
    saved_search_delete,
    saved_search_query,
)

INFLUENCERS_PER_PAGE = 24
# A phone shows two posts a row: 12 keep the influencer page a few screens tall, not 9,500 px.
FEED_POSTS_PER_PAGE = 12
# Filters shown under "More filters" (the search box, style and sort stay in view).
MAIN_FILTERS = ("q", "style", "sort")


def influencer_list(request):
    filterset = InfluencerFilterSet(request.GET)
    valid = filterset.is_valid()  # a bad value is left out and said so, never a server error
    cleaned = filterset.form.cleaned_data
    search = cleaned.get("q") or ""
    page = CappedCountPaginator(
        selectors.influencer_list(filters=request.GET), INFLUENCERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    for influencer in page:
        influencer.snippet = selectors.caption_snippet(
            getattr(influencer, "caption_match", "") or "", search
        )
    form = filterset.form
    more = [form[name] for name in form.fields if name not in MAIN_FILTERS]
    query = saved_search_query(filters=request.GET) if valid else ""
    return render(
        request,
        "influencers/list.html",
        {
            "page": page,
            "form": form,
            "more_filters": more,
            "more_filters_used": any(cleaned.get(f.name) not in (None, "") for f in more),
            "params": request.GET,
            "search": search,
            "query": query,
            "style_named": "" if cleaned.get("style") else style_named(search),
            "save_form": SavedSearchForm(
                initial={"query": query}, teams=_teams_to_save_to(request.user)
            ),
            "saved_searches": (
                selectors.saved_search_list(user=request.user)[:10]
                if request.user.is_authenticated
                else []
            ),
        },
        status=400 if form.errors else 200,
    )


def _teams_to_save_to(user):
    return team_list_for_member(user=user, need=TeamRole.MANAGER)


@login_required
def saved_search_list(request):
    """The searches the user may open (their teams', with who saved each; a consumer's own);
    POST saves the list's current search under a name."""
    form = SavedSearchForm(request.POST or None, teams=_teams_to_save_to(request.user))
    if request.method == "POST":
        if form.is_valid():
            team_id = form.cleaned_data.get("team")
            # Outside the try: a team the user may not save to is a 404 or 403, not a form error.
            team = (
                team_get_for_member(user=request.user, team_id=team_id, need=TeamRole.MANAGER)
                if team_id
                else None
            )
            try:
                saved = saved_search_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    filters=form.filters(),
                    team=team,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Search “%(name)s” saved.") % {"name": saved.name})
                return redirect(_list_url(saved.query))
    saved_searches = list(selectors.saved_search_list(user=request.user))
    for saved in saved_searches:
        saved.may_delete = saved.team_id is None or role_allows(
            role=saved.member_role, need=TeamRole.MANAGER
        )
    return render(
        request,
        "influencers/saved_searches.html",
        {"saved_searches": saved_searches, "form": form},
        status=400 if form.errors else 200,
    )


def _list_url(query: str) -> str:
    return reverse("influencer_list") + (f"?{query}" if query else "")


@login_required
def saved_search_open(request, pk):
    saved = selectors.saved_search_get(user=request.user, saved_search_id=pk)
    return redirect(_list_url(saved.query))


@login_required
@require_POST
def saved_search_delete_view(request, pk):
    saved = selectors.saved_search_get(user=request.user, saved_search_id=pk, need=TeamRole.MANAGER)
    saved_search_delete(user=request.user, saved_search_id=saved.pk)
    messages.success(request, _("Search “%(name)s” deleted.") % {"name": saved.name})
    return redirect("saved_search_list")


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
            "posts": Paginator(
                selectors.influencer_feed(influencer=influencer, limit=None), FEED_POSTS_PER_PAGE
            ).get_page(request.GET.get("page")),
            "shares": selectors.influencer_style_shares(influencer),
            "style_models": selectors.influencer_style_models(influencer=influencer),
            "timeline": selectors.influencer_style_timeline(influencer=influencer),
            "follower_history": [
                influencer_follower_history(influencer=influencer, days=days)
                for days in HISTORY_WINDOWS
            ],
            "genders": Gender.choices,
            "body_sizes": BodySize.choices,
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
