"""Reads of indicator values for a user: which scope they may ask for, which period."""

import datetime

from django.http import Http404
from django.utils import timezone

from tiantou.accounts.models import User
from tiantou.accounts.scoping import memberships_of, scope_for
from tiantou.core.periods import Period
from tiantou.regions.models import Organisation, Region

from . import registry
from .engine import Scope

__all__ = ["Scope", "home_region", "period_choices", "period_from", "scope_from"]


def home_region(user: User) -> Region | None:
    """The broadest region the user holds a role in (where their pages open)."""
    regions = [m.region for m in memberships_of(user) if m.region_id]
    if not regions:
        if user.is_superuser:
            return Region.objects.filter(level=1).order_by("code").first()
        return None
    return min(regions, key=lambda r: (r.level, r.code))


def scope_from(user: User, *, region: str = "", organisation: str = "") -> Scope:
    """The scope asked for, if the user may see it; 404 otherwise (as for any record).

    Without a region or organisation: the user's home region.
    """
    if organisation:
        if not organisation.isdigit():
            raise Http404
        found = Organisation.objects.visible_to(user).filter(pk=int(organisation)).first()
        if found is None:
            raise Http404
        return Scope(organisation=found)
    code = region.strip() if region else ""
    if not code:
        home = home_region(user)
        if home is None:
            raise Http404
        return Scope(region=home)
    if not (code.isdigit() and len(code) == 12) or not scope_for(user).contains_code(code):
        raise Http404
    found_region = Region.objects.filter(code=code).first()
    if found_region is None:
        raise Http404
    return Scope(region=found_region)


def period_from(text: str, *, default: Period | None = None) -> Period:
    """The period written in a URL; the current year when none. ValueError (Chinese) when
    unreadable."""
    if not (text or "").strip():
        return default or Period.year(timezone.localdate().year)
    return Period.parse(text)


def period_choices(
    today: datetime.date | None = None, *, user: User | None = None
) -> list[tuple[str, str]]:
    """Periods offered in select boxes: the named periods the apps offer the user (the
    terms of the batches they see, as a range of days), this and the last two years, their
    halves and quarters, and this year's months."""
    today = today or timezone.localdate()
    terms: list[tuple[str, str]] = []
    if user is not None:
        terms = [
            (p.key, f"{label}（{p.label}）")
            for provider in registry.PERIOD_PROVIDERS
            for label, p in provider(user)
        ]
    options: list[Period] = []
    for year in (today.year, today.year - 1, today.year - 2):
        options += [Period.year(year), Period.half(year, 1), Period.half(year, 2)]
        options += [Period.quarter(year, q) for q in (1, 2, 3, 4)]
    options += [Period.month(today.year, m) for m in range(1, today.month + 1)]
    return terms + [(p.key, p.label) for p in options]
