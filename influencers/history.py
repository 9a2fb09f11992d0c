"""Follower history: reads of the snapshots every refresh keeps, for pages, the API and exports.

`influencers_follower_growth` is the one home of "growth over N days" (the page, the API and the
campaign export all call it): the change from the first snapshot inside the window to the last.
"""

import datetime as dt

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from influencers.models import FollowerSnapshot, Influencer

HISTORY_WINDOWS = (30, 90)  # days the page and the API show
CHART_WIDTH, CHART_HEIGHT = 300, 100


def influencers_follower_growth(*, influencer_ids, days: int, now=None) -> dict[int, dict]:
    """{influencer id: {"start", "end", "change", "change_percent"}} over the last `days`, for
    influencers with at least one snapshot in the window (two queries whatever their number)."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    window = FollowerSnapshot.objects.filter(influencer=OuterRef("pk"), taken_at__gte=since)
    rows = (
        Influencer.objects.filter(pk__in=list(influencer_ids))
        .annotate(
            first_followers=Subquery(window.order_by("taken_at", "pk").values("followers")[:1]),
            last_followers=Subquery(window.order_by("-taken_at", "-pk").values("followers")[:1]),
        )
        .filter(first_followers__isnull=False)
        .values_list("pk", "first_followers", "last_followers")
    )
    return {
        pk: {
            "start": start,
            "end": end,
            "change": end - start,
            "change_percent": (end - start) / start if start else None,
        }
        for pk, start, end in rows
    }


def influencer_follower_history(*, influencer: Influencer, days: int, now=None) -> dict:
    """The last `days` of snapshots, one point per day (its last), with the growth and the
    engagement at each point; `chart` holds the SVG polyline the page draws."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    by_day: dict[dt.date, FollowerSnapshot] = {}
    for snapshot in FollowerSnapshot.objects.filter(
        influencer=influencer, taken_at__gte=since
    ).order_by("taken_at", "pk"):
        by_day[timezone.localdate(snapshot.taken_at)] = snapshot
    points = [
        {
            "date": day,
            "followers": s.followers,
            "media_count": s.media_count,
            "average_likes": s.average_likes,
            "engagement_rate": s.engagement_rate,
        }
        for day, s in by_day.items()
    ]
    growth = influencers_follower_growth(influencer_ids=[influencer.pk], days=days, now=now)
    return {
        "days": days,
        "points": points,
        "growth": growth.get(influencer.pk),
        "chart": follower_chart(
            points, since=timezone.localdate(since), until=timezone.localdate(now)
        ),
    }


def follower_chart(points: list[dict], *, since: dt.date, until: dt.date) -> dict:
    """SVG geometry of a follower line: x by date across the window, y between the window's
    lowest and highest count (a flat line sits in the middle)."""
    if not points:
        return {"polyline": "", "low": None, "high": None}
    low = min(p["followers"] for p in points)
    high = max(p["followers"] for p in points)
    span_days = max((until - since).days, 1)
    coordinates = []
    for p in points:
        x = CHART_WIDTH * (p["date"] - since).days / span_days
        y = (
            CHART_HEIGHT / 2
            if high == low
            else CHART_HEIGHT * (high - p["followers"]) / (high - low)
        )
        coordinates.append(f"{x:.1f},{y:.1f}")
    return {
        "polyline": " ".join(coordinates),
        "low": low,
        "high": high,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }
