"""Querysets of the ledger; `visible_to` is the one choke point for scope."""

from django.db import models
from django.db.models import Q

from tiantou.accounts.scoping import scope_for

from .choices import ActivityStatus

COUNTED = (ActivityStatus.CONFIRMED, ActivityStatus.LOCKED)


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActivityQuerySet":
        """Activities in the user's regions, of the user's unit, or the user's own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        from tiantou.people.models import Posting

        scope = scope_for(user)
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

    def visible_to(self, user) -> "PostingOwnedQuerySet":
        from tiantou.people.models import Posting

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(posting__in=Posting.objects.visible_to(user).values("pk"))
