"""Catalogue reads for pages and the API; each list costs a constant number of queries."""

from django.db.models import Q

from influencers.models import Influencer, Post


def influencer_list(
    *,
    search: str = "",
    style: str = "",
    gender: str = "",
    body_size: str = "",
    min_followers: int | None = None,
    active_only: bool = True,
):
    qs = Influencer.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if search:
        term = search.strip().lstrip("@#")
        qs = qs.filter(
            Q(handle__icontains=term)
            | Q(display_name__icontains=term)
            | Q(keywords__icontains=term)
        )
    if style:
        qs = qs.filter(Q(brand_style=style) | Q(consumer_style=style))
    if gender:
        qs = qs.filter(gender=gender)
    if body_size:
        qs = qs.filter(body_size=body_size)
    if min_followers is not None:
        qs = qs.filter(followers__gte=min_followers)
    return qs.defer("like_distribution", "count_distribution", "embedding_centroid")


def influencer_get(*, handle: str, active_only: bool = False) -> Influencer:
    qs = Influencer.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.get(handle__iexact=handle)


def influencer_feed(*, influencer: Influencer, limit: int = 60):
    return Post.objects.filter(influencer=influencer).defer("embedding", "style_probabilities")[
        :limit
    ]


def influencer_style_shares(influencer: Influencer, *, by: str = "posts") -> list[dict]:
    """The style distribution for the chart: top-label shares of classified posts, largest first."""
    stats = {k: v for k, v in influencer.style_stats.items()}
    total = sum(v[by] for v in stats.values()) or 1
    rows = [{"style": k, "value": v[by], "share": v[by] / total} for k, v in stats.items()]
    return sorted(rows, key=lambda r: (-r["value"], r["style"]))


def influencer_with_min_engagement(qs, min_rate: float):
    """Average likes per post over followers, at least min_rate (followers must be known)."""
    from django.db.models import ExpressionWrapper, F, FloatField

    rate = ExpressionWrapper(
        F("total_likes") / (F("post_count") * F("followers")), output_field=FloatField()
    )
    return (
        qs.filter(followers__gt=0, post_count__gt=0)
        .annotate(engagement=rate)
        .filter(engagement__gte=min_rate)
    )
