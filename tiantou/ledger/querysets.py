"""Querysets of the ledger; `visible_to` is the one choke point for scope."""

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q

from tiantou.accounts.scoping import oversight_scope_for, permission_scope_for
from tiantou.people.models import Posting

from .choices import ActivityStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tiantou.accounts.models import User

COUNTED = (ActivityStatus.CONFIRMED, ActivityStatus.LOCKED)
# Lists (page and API) count at most this many rows: an exact COUNT(*) over millions of
# rows would cost more than the list itself, and nobody pages that far.
COUNT_LIMIT = 10_000
# Up to this many matches, a page's rows are looked up by key among the counted ones
# rather than found by a second scan (a title search on a million rows scans them all).
FEW_MATCHES = 1_000


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "ActivityQuerySet":
        """Activities in the regions the user oversees, of the user's unit, or the user's own
        (a cadre sees their own work, not every activity of their township)."""
        if user is None or not user.is_authenticated:
            return self.none()

        scope = oversight_scope_for(user)
        # A subquery, not a join through posting and person over every activity.
        own_postings = Posting.objects.filter(person__user=user).values("pk")
        return self.filter(
            scope.region_q("region__code")
            | scope.organisation_q("organisation_id")
            | Q(posting__in=own_postings)
            | Q(created_by=user)
        )

    def counted(self) -> "ActivityQuerySet":
        """Only confirmed (or locked) records count anywhere."""
        return self.filter(status__in=COUNTED)


class PostingOwnedQuerySet(models.QuerySet):
    """For records that belong to a posting: visible wherever the posting is."""

    def visible_to(self, user: "User | AnonymousUser | None") -> "PostingOwnedQuerySet":
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(posting__in=Posting.objects.visible_to(user).values("pk"))


class DisciplineCaseQuerySet(models.QuerySet):
    """Discipline cases: personnel matters, seen only where the user may see discipline."""

    def visible_to(self, user) -> "DisciplineCaseQuerySet":
        """Cases of cadres posted in the regions where the user holds the right to see
        discipline (the organisation department, the county S&T admin), and of the people
        of the user's own unit (a home unit). Not a viewer's, the science association's,
        a township's nor a cadre's, though they see the rest of the ledger there: page,
        list and every other read go through here."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        scope = permission_scope_for(user, "ledger.view_disciplinecase")
        return self.filter(
            scope.region_q("posting__host_region__code")
            | scope.organisation_q("posting__person__home_unit_id")
        )


class CappedPaginator(Paginator):
    """Pages of primary keys (`values_list("pk", flat=True)`) counted up to `limit`.

    One unordered query reads the keys of at most `limit + 1` matching rows: their number
    is the count (more than `limit` shows as “more than …”). With few matches the page's
    keys are then sorted among those, by key lookups; otherwise the page is a LIMIT query
    along the list's index, which finds many matches early.
    """

    def __init__(
        self,
        object_list: models.QuerySet,
        per_page: int | str,
        *,
        limit: int = COUNT_LIMIT,
        **kwargs: Any,
    ) -> None:
        self.limit = limit
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def counted_ids(self) -> list:
        return list(self.object_list.order_by()[: self.limit + 1])  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        return len(self.counted_ids)

    @property
    def is_capped(self) -> bool:
        return self.count > self.limit

    def ids_between(self, bottom: int, top: int) -> list:
        """The keys of rows `bottom` to `top` (exclusive) in the list's order."""
        keys = self.object_list
        if self.count <= min(FEW_MATCHES, self.limit):  # every match counted
            keys = keys.filter(pk__in=self.counted_ids)  # type: ignore[attr-defined]
        return list(keys[bottom:top])

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # `_get_page` is Django's documented hook for the page class; the stubs omit it.
        return self._get_page(self.ids_between(bottom, top), number, self)  # type: ignore[attr-defined]
