"""The influencer list's filters and sort orders, declared once: the list page's form, the API's
query parameters (and its schema) and the selector all read InfluencerFilterSet.

Shares and rates are percentages in the query string (engagement 3.5 means 3.5 %), on the page
and in the API alike, so a search copied from one works in the other.
"""

from datetime import timedelta

import django_filters
from django import forms
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import BodySize, Gender
from common.key_sets import primary_key_among
from influencers import search
from influencers.constants import (
    ENGAGEMENT_PERCENT_MAX,
    FOLLOWERS_MAX,
    POSTED_WITHIN_DAYS_MAX,
    SEARCH_MAX_LENGTH,
)
from influencers.models import Influencer, InfluencerStyleShare, Post, StyleChoices
from mlcore.styles import STYLE_CODES

CURATED, NEEDS_CURATION = "curated", "needs_curation"
CURATION_CHOICES = (
    (CURATED, _("Curated (gender and size set)")),
    (NEEDS_CURATION, _("Waiting for curation")),
)

SORT_FOLLOWERS, SORT_ENGAGEMENT, SORT_STYLE_SHARE, SORT_RECENT = (
    "followers",
    "engagement",
    "style_share",
    "recent",
)
SORT_CHOICES = (
    (SORT_FOLLOWERS, _("Most followers")),
    (SORT_ENGAGEMENT, _("Highest engagement")),
    (SORT_STYLE_SHARE, _("Largest share of the style")),
    (SORT_RECENT, _("Most recently active")),
)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PercentFilter(django_filters.NumberFilter):
    """A percentage in the query string; the methods compare it as a fraction."""

    field_class = forms.FloatField


def _percent(label, method, *, maximum=100):
    return PercentFilter(
        label=label,
        method=method,
        min_value=0,
        max_value=maximum,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def style_share_relation(style: str) -> FilteredRelation:
    """The influencer's row of InfluencerStyleShare for `style` (none: the style is not posted)."""
    if style not in STYLE_CODES:
        raise ValueError(style)
    return FilteredRelation("style_shares", condition=Q(style_shares__style=style))


class InfluencerFilterSet(django_filters.FilterSet):
    """Filters of the influencer list. Bound to a query string (a QueryDict or a dict)."""

    q = django_filters.CharFilter(
        label=_("Search handle, word or hashtag"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        validators=[search.search_words_validate],
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    style = django_filters.ChoiceFilter(
        label=_("Style"),
        choices=StyleChoices.choices,
        method="filter_style",
        empty_label=_("All styles"),
    )
    # Read by filter_style: a share is a share of one style.
    min_style_share = _percent(_("Posts in that style, at least (%)"), "filter_nothing")
    gender = django_filters.ChoiceFilter(
        label=_("Gender"), choices=Gender.choices, empty_label=_("Any")
    )
    size = django_filters.ChoiceFilter(
        label=_("Body size"), choices=BodySize.choices, field_name="body_size", empty_label=_("Any")
    )
    min_followers = IntegerFilter(
        label=_("Followers from"),
        field_name="followers",
        lookup_expr="gte",
        min_value=0,
        max_value=FOLLOWERS_MAX,
    )
    max_followers = IntegerFilter(
        label=_("Followers to"),
        field_name="followers",
        lookup_expr="lte",
        min_value=0,
        max_value=FOLLOWERS_MAX,
    )
    min_engagement = _percent(
        _("Engagement from (%)"), "filter_engagement", maximum=ENGAGEMENT_PERCENT_MAX
    )
    max_engagement = _percent(
        _("Engagement to (%)"), "filter_engagement", maximum=ENGAGEMENT_PERCENT_MAX
    )
    min_sponsored = _percent(_("Sponsored posts from (%)"), "filter_sponsored")
    max_sponsored = _percent(_("Sponsored posts to (%)"), "filter_sponsored")
    posted_within = IntegerFilter(
        label=_("Posted within (days)"),
        method="filter_posted_within",
        min_value=1,
        max_value=POSTED_WITHIN_DAYS_MAX,
    )
    curation = django_filters.ChoiceFilter(
        label=_("Curation"),
        choices=CURATION_CHOICES,
        method="filter_curation",
        empty_label=_("Any"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=_("Handle (a search: most followers)"),
    )

    class Meta:
        model = Influencer
        fields: list[str] = []  # every filter is declared above

    def _cleaned(self, name):
        return getattr(self.form, "cleaned_data", {}).get(name)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        """The most followed first: an order an index walks, stopping at the page's last row, so
        a word nearly every influencer uses costs no more than a rare one. The matching-caption
        count and the newest such caption are read for the rows shown only."""
        terms = search.search_terms(value)
        if not terms:
            return queryset
        matching = Post.objects.filter(influencer=OuterRef("pk")).filter(
            search.caption_matches_all(terms)
        )
        hits = matching.order_by().values("influencer").annotate(n=Count("id")).values("n")[:1]
        return (
            queryset.filter(search.influencer_matches_all(terms, using=queryset.db))
            .annotate(
                caption_hits=Coalesce(Subquery(hits, output_field=IntegerField()), Value(0)),
                caption_match=Subquery(
                    matching.order_by("-posted_at", "-id").values("caption")[:1]
                ),
            )
            .order_by(F("followers").desc(nulls_last=True), "handle")
        )

    def filter_style(self, queryset, name, value):
        share = self._cleaned("min_style_share")
        if share is None:  # the style is one of the influencer's two representative styles
            return queryset.filter(Q(brand_style=value) | Q(consumer_style=value))
        shares = InfluencerStyleShare.objects.using(queryset.db).filter(
            style=value, share__gte=share / 100, share__gt=0
        )
        if connections[queryset.db].vendor == "postgresql":
            # The keys read from the (style, share) index first, then filtered by as one
            # parameter: the other filters and the sort then work on a known set (PostgreSQL
            # combines it with their indexes) instead of probing the shares row by row.
            keys = list(shares.values_list("influencer_id", flat=True))
            return queryset.filter(primary_key_among(keys)) if keys else queryset.none()
        return queryset.filter(Exists(shares.filter(influencer=OuterRef("pk"))))

    def filter_engagement(self, queryset, name, value):
        lookup = "gte" if name == "min_engagement" else "lte"
        return queryset.filter(**{f"engagement_rate__{lookup}": value / 100})

    def filter_sponsored(self, queryset, name, value):
        lookup = "gte" if name == "min_sponsored" else "lte"
        return queryset.filter(**{f"sponsored_share__{lookup}": value / 100})

    def filter_posted_within(self, queryset, name, value):
        return queryset.filter(last_posted_at__gte=timezone.now() - timedelta(days=value))

    def filter_curation(self, queryset, name, value):
        return queryset.curated() if value == CURATED else queryset.needing_curation()

    def filter_sort(self, queryset, name, value):
        if value == SORT_FOLLOWERS:
            return queryset.order_by(F("followers").desc(nulls_last=True), "handle")
        if value == SORT_ENGAGEMENT:
            return queryset.order_by(F("engagement_rate").desc(nulls_last=True), "handle")
        if value == SORT_STYLE_SHARE:
            style = self._cleaned("style")
            if not style:  # the share of each influencer's own most-posted style
                return queryset.order_by(F("consumer_style_share").desc(), "handle")
            # The style filter admits only influencers who post the style (each has its row):
            # an inner join, ordered as the (style, share) index is, which the page walks.
            return (
                queryset.alias(chosen_share=style_share_relation(style))
                .filter(chosen_share__share__isnull=False)
                .order_by(F("chosen_share__share").desc(), "handle")
            )
        return queryset.order_by(F("last_posted_at").desc(nulls_last=True), "handle")
