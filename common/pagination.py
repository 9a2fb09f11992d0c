"""Pagination of lists that can grow past what a page should count.

A list of 100,000 influencers filtered by a word most of them use would count every match on each
page; CappedCountPaginator counts at most COUNT_CAP of them ("more than 1,000"), which costs the
same however large the catalogue, and the first COUNT_CAP matches in the list's order stay
reachable page by page (narrower filters reach the others).
"""

from django.core.paginator import Paginator
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 1000


class CappedCountPaginator(Paginator):
    """Counts at most count_cap rows. When fewer match, the page is read among the rows counted
    (their primary keys): the database then sorts a known, small set instead of walking a sort
    index past rows that do not match, a walk its estimates cannot tell from a short one (a rare
    search word against 100,000 influencers). When more match, the page's keys are read first
    and its rows after them."""

    count_cap = COUNT_CAP

    @cached_property
    def _counted(self) -> list:
        """The primary keys of up to count_cap + 1 matching rows, in no particular order."""
        rows = self.object_list
        if hasattr(rows, "values_list"):
            return list(rows.order_by().values_list("pk", flat=True)[: self.count_cap + 1])
        return list(range(min(len(rows), self.count_cap + 1)))

    @cached_property
    def count(self) -> int:
        return min(len(self._counted), self.count_cap)

    @cached_property
    def count_capped(self) -> bool:
        """Whether more rows than `count` match."""
        return len(self._counted) > self.count_cap

    def page(self, number):
        rows = self.object_list
        if not hasattr(rows, "values_list"):
            return super().page(number)
        if not self.count_capped:
            self.object_list = rows.filter(pk__in=self._counted)
            return super().page(number)
        # More match than are counted: the page's keys first, then its rows by key (a deferred
        # join). The keys' query reads only what the filters and the order need, which a covering
        # sort index holds (influencers 0023): walking past thousands of rows that a filter
        # removes costs index entries, not the wide rows.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(rows.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        by_key = rows.order_by()
        # The keys came through the filters: the rows are read by key alone (with the filters
        # too, the planner multiplies their selectivities and may scan a filter's index instead).
        by_key.query.where = WhereNode()
        found = {row.pk: row for row in by_key.filter(pk__in=keys)}
        return self._get_page([found[k] for k in keys if k in found], number, self)


class CappedCountPagination(PageNumberPagination):
    """The API's page envelope over CappedCountPaginator: `count` stops at the cap and
    `count_capped` says that more match."""

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_capped
        return Response(response.data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"More than `count` match (counting stops at {COUNT_CAP}).",
        }
        return schema
