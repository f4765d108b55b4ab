"""Querysets of regions and organisations; `visible_to` is the one choke point for scope."""

from typing import TYPE_CHECKING

from django.db import models

from tiantou.accounts.scoping import scope_for
from tiantou.core.regioncodes import subtree_range

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tiantou.accounts.models import User


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "RegionQuerySet":
        """Regions inside the user's membership subtrees."""
        return self.filter(scope_for(user).region_q("code"))

    def in_subtree(self, code: str, level: int | None = None) -> "RegionQuerySet":
        return self.filter(code__range=subtree_range(code, level))


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user: "User | AnonymousUser | None") -> "OrganisationQuerySet":
        """Organisations in the user's region subtrees, plus those the user belongs to."""
        scope = scope_for(user)
        return self.filter(scope.region_q("region__code") | scope.organisation_q("id"))

    def active(self) -> "OrganisationQuerySet":
        return self.filter(is_active=True)
