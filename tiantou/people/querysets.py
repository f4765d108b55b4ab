"""Querysets of the dispatch programmes; `visible_to` is the one choke point for scope.

People and postings are seen by whoever oversees the host region or the person's
register, by the person's home unit, and by the person themself. A dispatched cadre's
membership of a township oversees nothing there (`oversight_scope_for`): a cadre sees
their own person and postings, not their peers'.
"""

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from tiantou.accounts.scoping import oversight_scope_for, scope_for

from .choices import PostingStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tiantou.accounts.models import User


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "ProgrammeQuerySet":
        """Programmes run inside the user's scope or above it (a county's, seen from a township)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        scope = scope_for(user)
        return self.filter(scope.region_or_above_q("region__code"))


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "BatchQuerySet":
        """Batches of the programmes the user can see."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(scope_for(user).region_or_above_q("programme__region__code"))


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "PersonQuerySet":
        """People on a register in scope, posted into scope, of the user's unit, or the user."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        # Imported here: the models import this module for their managers.
        from .models import Posting

        scope = oversight_scope_for(user)
        if scope.everything:
            return self
        posted_here = Posting.objects.filter(person=OuterRef("pk")).filter(
            scope.region_q("host_region__code")
        )
        return self.filter(
            scope.region_q("region__code")
            | Exists(posted_here)
            | scope.organisation_q("home_unit_id")
            | Q(user=user)
        )


class PostingQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "PostingQuerySet":
        """Postings hosted in scope, of people of the user's unit, or the user's own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        scope = oversight_scope_for(user)
        return self.filter(
            scope.region_q("host_region__code")
            | scope.organisation_q("person__home_unit_id")
            | scope.organisation_q("host_organisation_id")
            | Q(person__user=user)
        )

    def with_effective_status(self, today: datetime.date | None = None) -> "PostingQuerySet":
        """Annotate `current_status`: an active posting past its term reads as completed."""
        today = today or timezone.localdate()
        return self.annotate(
            current_status=Case(
                When(
                    status=PostingStatus.ACTIVE,
                    ends_on__lt=today,
                    then=Value(PostingStatus.COMPLETED.value),
                ),
                default="status",
                output_field=models.CharField(),
            )
        )

    def current(self, today: datetime.date | None = None) -> "PostingQuerySet":
        """Postings in office today."""
        today = today or timezone.localdate()
        return self.filter(status=PostingStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today)


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "ApplicationQuerySet":
        """Applications of batches run in scope, for townships in scope, or of the user's unit."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        scope = oversight_scope_for(user)
        return self.filter(
            scope.region_q("batch__programme__region__code")
            | scope.region_q("preferred_region__code")
            | scope.region_q("allocated_region__code")
            | scope.organisation_q("person__home_unit_id")
            | scope.organisation_q("recommended_by_id")
            | Q(person__user=user)
        )
