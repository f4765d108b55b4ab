"""Every read of people, programmes and postings, starting from what the user may see."""

import datetime
from collections import defaultdict

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core import audit, regioncodes
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from .choices import DispatchLevel
from .models import Batch, LetterTarget, Person, Posting, Programme, ResponsibilityLetter, Specialty

POSTING_RELATED = (
    "person",
    "person__home_unit",
    "programme",
    "batch",
    "batch__programme",
    "host_region",
    "host_region__parent",
    "host_organisation",
)


def person_list(*, user) -> QuerySet[Person]:
    """People on registers the user can see, with their home units and specialties."""
    return (
        Person.objects.visible_to(user)
        .select_related("home_unit", "region")
        .prefetch_related("specialties")
    )


def person_get(*, user, pk: int) -> Person:
    """One person the user can see, or 404."""
    return get_object_or_404(person_list(user=user), pk=pk)


def person_read(*, user, pk: int) -> Person:
    """A person's page or API record: 404 outside what the user can see, 403 without the
    right to read the register, except for the user's own person."""
    person = person_get(user=user, pk=pk)
    if person.user_id != user.pk:
        ensure_can(user, "people.view_person")
    return person


def can_read_id_number(user, person: Person) -> bool:
    """Whether `user` may read the person's full ID number and, with it, the birth date.

    The birth date is digits 7 to 14 of the number: whoever may not read the number sees
    the last 4 characters and the age, never the birth date (the one rule for pages,
    API and exports).
    """
    return has_perm(user, "people.view_id_number", person)


# Fields of a person's audit rows hidden from those who may not read the full ID number:
# old rows carry the earlier mask (region and last 4) beside the birth date.
ID_REVEALING_FIELDS = frozenset({"birth_date", "id_number_masked"})


def person_history(*, user, person: Person) -> list | None:
    """The person's audit rows for users who may read the audit log, else None; the birth
    date and the mask hidden from those who may not read the full ID number."""
    history = audit_history(user, person)
    if history and not can_read_id_number(user, person):
        for entry in history:
            # `audit.readable_changes` skips the fields named on the entry.
            entry.hidden_fields = audit.HIDDEN_FIELDS | ID_REVEALING_FIELDS
    return history


def person_postings(*, user, person: Person) -> QuerySet[Posting]:
    """A person's postings the user can see, newest first, with their effective status."""
    return (
        Posting.objects.visible_to(user)
        .filter(person=person)
        .with_effective_status()
        .select_related(*POSTING_RELATED)
    )


def programme_list(*, user) -> QuerySet[Programme]:
    """Programmes run in the user's scope or above it."""
    return Programme.objects.visible_to(user).select_related("region")


def programme_get(*, user, pk: int) -> Programme:
    """One programme the user can see, or 404."""
    return get_object_or_404(programme_list(user=user), pk=pk)


def batch_choices(*, user) -> QuerySet[Batch]:
    """Batches the user can see, for filters."""
    return Batch.objects.visible_to(user).select_related("programme")


def specialty_list() -> QuerySet[Specialty]:
    """All fields of expertise (a short, shared list)."""
    return Specialty.objects.all()


def home_unit_choices(*, user) -> QuerySet[Organisation]:
    """Active organisations the user can see, as home units to choose from."""
    return Organisation.objects.visible_to(user).filter(is_active=True).order_by("name")


def posting_roster(*, user, today: datetime.date | None = None) -> QuerySet[Posting]:
    """Every posting the user can see, with `current_status` and what the roster shows."""
    return (
        Posting.objects.visible_to(user)
        .with_effective_status(today)
        .select_related(*POSTING_RELATED)
        .prefetch_related("person__specialties")
        .order_by("-starts_on", "id")
    )


def posting_get(*, user, pk: int) -> Posting:
    """One posting the user can see, or 404."""
    return get_object_or_404(
        Posting.objects.visible_to(user).with_effective_status().select_related(*POSTING_RELATED),
        pk=pk,
    )


def posting_read(*, user, pk: int) -> Posting:
    """A posting's page or API record: 404 outside what the user can see, 403 without the
    right to read postings, except for the user's own."""
    posting = posting_get(user=user, pk=pk)
    if posting.person.user_id != user.pk:
        ensure_can(user, "people.view_posting")
    return posting


def posting_letter(*, posting: Posting):
    """The posting's responsibility letter with its targets, or None."""
    return (
        ResponsibilityLetter.objects.filter(posting=posting)
        .prefetch_related(Prefetch("targets", queryset=LetterTarget.objects.order_by("year", "id")))
        .first()
    )


def posting_events(*, posting: Posting):
    """The posting's history, oldest first, with who did each step."""
    return posting.events.select_related("actor").order_by("at", "id")


def my_postings(*, user) -> list[Posting]:
    """The postings of the person whose login is `user`, with their letters and targets."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Posting.objects.filter(person__user=user)
        .with_effective_status()
        .select_related(*POSTING_RELATED, "letter")
        .prefetch_related(
            Prefetch("letter__targets", queryset=LetterTarget.objects.order_by("year", "id"))
        )
        .order_by("-starts_on", "id")
    )


def has_person(user) -> bool:
    """Whether a person on a register is linked to this login (a dispatched cadre)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_tiantou_has_person", None)
    if cached is None:
        cached = Person.objects.filter(user=user).exists()
        user._tiantou_has_person = cached
    return cached


TOWNSHIP_PREFIX = regioncodes.PREFIX_LENGTH[Level.TOWNSHIP]
LEVEL_ORDER = [DispatchLevel.CITY, DispatchLevel.COUNTY, DispatchLevel.TOWNSHIP]


def posting_counts(*, user, today: datetime.date | None = None) -> dict:
    """Postings in office today, counted by dispatch level (with those hired from outside
    the county nested in each level), by programme and by township.

    Four grouped queries whatever the number of postings.
    """
    current = Posting.objects.visible_to(user).current(today or timezone.localdate())
    levels: dict[str, dict] = {
        level: {"level": level, "label": level.label, "n": 0, "outside": 0} for level in LEVEL_ORDER
    }
    for level, outside, n in (
        current.values_list("dispatch_level", "is_from_outside_county")
        .annotate(n=Count("id"))
        .values_list("dispatch_level", "is_from_outside_county", "n")
        .order_by()
    ):
        row = levels.setdefault(level, {"level": level, "label": level, "n": 0, "outside": 0})
        row["n"] += n
        if outside:
            row["outside"] += n
    programmes = [
        {"id": pk, "name": name, "n": n}
        for pk, name, n in current.values_list("programme_id", "programme__name")
        .annotate(n=Count("id"))
        .values_list("programme_id", "programme__name", "n")
        .order_by("programme__name", "programme_id")
    ]
    by_township: dict[str, dict[str, int]] = defaultdict(dict)
    for prefix, level, n in (
        current.annotate(prefix=Substr("host_region_id", 1, TOWNSHIP_PREFIX))
        .values_list("prefix", "dispatch_level")
        .annotate(n=Count("id"))
        .values_list("prefix", "dispatch_level", "n")
        .order_by()
    ):
        code = prefix.ljust(12, "0")
        by_township[code][level] = by_township[code].get(level, 0) + n
    names = dict(Region.objects.filter(code__in=by_township).values_list("code", "name"))
    townships = [
        {
            "code": code,
            "name": names.get(code, code),
            "n": sum(per_level.values()),
            "by_level": [
                {"level": level.value, "n": per_level.get(level, 0)} for level in LEVEL_ORDER
            ],
        }
        for code, per_level in sorted(by_township.items())
    ]
    level_rows = [row for row in levels.values() if row["n"]]
    return {
        "total": sum(row["n"] for row in level_rows),
        "levels": level_rows,
        "programmes": programmes,
        "townships": townships,
        "level_labels": [level.label for level in LEVEL_ORDER],
        "level_values": [level.value for level in LEVEL_ORDER],
    }


def current_posting_count(*, user) -> int:
    """How many cadres are in office today inside the user's scope (one query)."""
    return Posting.objects.visible_to(user).current().count()
