"""Every read of the work ledger, starting from what the user may see."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
from django.shortcuts import get_object_or_404

from tiantou.accounts.models import User
from tiantou.people.models import Posting
from tiantou.regions.models import Organisation, Region

from .models import Activity, ActivityType, Technology
from .querysets import ActivityQuerySet

ACTIVITY_RELATED = (
    "activity_type",
    "region",
    "posting",
    "posting__person",
    "organisation",
)
# Rows fetched per round trip when an export walks the whole ledger.
EXPORT_CHUNK = 5000


def activity_list(*, user: User) -> ActivityQuerySet:
    """Activities the user can see, with what a list row shows (no per-row queries)."""
    return Activity.objects.visible_to(user).select_related(*ACTIVITY_RELATED)


def activity_get(*, user: User, pk: int) -> Activity:
    """One activity the user can see, with what its page shows, or 404."""
    queryset = (
        activity_list(user=user)
        .select_related("region__parent", "created_by", "confirmed_by")
        .prefetch_related("technologies")
    )
    return get_object_or_404(queryset, pk=pk)


def activity_type_list() -> QuerySet[ActivityType]:
    """The activity types in use, in their configured order."""
    return ActivityType.objects.filter(is_active=True)


def technology_list() -> QuerySet[Technology]:
    """The technology and variety catalogue in use."""
    return Technology.objects.filter(is_active=True)


def posting_choices(*, user: User | None) -> QuerySet[Posting]:
    """Postings the user can see, as cadres to filter or link activities by (none without a
    user: a filter set built without a request)."""
    return (
        Posting.objects.visible_to(user)
        .select_related("person")
        .order_by("person__name", "-starts_on")
    )


def organisation_choices(*, user: User | None) -> QuerySet[Organisation]:
    """Active organisations the user can see, as organisers of activities."""
    return Organisation.objects.visible_to(user).filter(is_active=True).order_by("name")


# ---- export ----

EXPORT_FIELDS = (
    "id",
    "uuid",
    "activity_type__name",
    "title",
    "region_id",
    "starts_on",
    "ends_on",
    "participants",
    "experts",
    "consultations",
    "materials",
    "boards",
    "enterprises",
    "area_mu",
    "output_value",
    "organisation__name",
    "posting__person__name",
    "description",
)


def activity_export_rows(queryset: QuerySet[Activity]) -> Iterator[dict[str, Any]]:
    """Plain rows (no model instances) for an export, with technology names joined by 、.

    The rows are read with a server-side cursor in chunks; each chunk's technologies
    come in one more query, so memory stays flat however many rows there are.
    """
    through = Activity.technologies.through
    rows = queryset.order_by().values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= EXPORT_CHUNK:
            yield from _with_technologies(chunk, through)
            chunk = []
    if chunk:
        yield from _with_technologies(chunk, through)


def _with_technologies(chunk: list[tuple], through: Any) -> Iterator[dict[str, Any]]:
    names: dict[int, list[str]] = {}
    pairs = (
        through.objects.filter(activity_id__in=[row[0] for row in chunk])
        .order_by("activity_id", "technology__name")
        .values_list("activity_id", "technology__name")
    )
    for activity_id, name in pairs:
        names.setdefault(activity_id, []).append(name)
    for row in chunk:
        data = dict(zip(EXPORT_FIELDS, row, strict=True))
        data["technologies"] = "、".join(names.get(row[0], ()))
        yield data


# ---- summaries ----


@dataclass
class SummaryRow:
    """One line of a summary: the group, its counts and the list filter that opens it."""

    key: Any
    label: str
    activities: int = 0
    participants: int = 0
    technologies: int = 0
    query: dict[str, str] = field(default_factory=dict)


DIMENSIONS = ("township", "cadre", "type", "month")


def activity_summary(*, queryset: ActivityQuerySet, by: str) -> list[SummaryRow]:
    """Counted activities grouped by one dimension: a grouped query for the counts and sums,
    one for the distinct technologies, and one for the groups' names; never one per number.

    `queryset` is already visible to the user and filtered; only counted records are used.
    """
    counted = queryset.counted().order_by()
    through = Activity.technologies.through
    links = through.objects.filter(activity__in=counted.values("pk")).order_by()
    group: Any
    link_group: Any
    if by == "township":
        group = Substr("region_id", 1, 9)
        link_group = Substr("activity__region_id", 1, 9)
    elif by == "cadre":
        group, link_group = F("posting_id"), F("activity__posting_id")
    elif by == "type":
        group, link_group = F("activity_type_id"), F("activity__activity_type_id")
    elif by == "month":
        group, link_group = TruncMonth("starts_on"), TruncMonth("activity__starts_on")
    else:
        raise ValueError(by)
    totals = (
        counted.annotate(g=group).values("g").annotate(n=Count("pk"), people=Sum("participants"))
    )
    distinct = (
        links.annotate(g=link_group)  # type: ignore[misc]  # a computed key, not a field
        .values("g")
        .annotate(techs=Count("technology_id", distinct=True))
    )
    techs = {_month_key(row["g"]) if by == "month" else row["g"]: row["techs"] for row in distinct}
    rows: list[SummaryRow] = []
    for row in totals:
        key = _month_key(row["g"]) if by == "month" else row["g"]
        rows.append(
            SummaryRow(
                key=key,
                label="",
                activities=row["n"],
                participants=row["people"] or 0,
                technologies=techs.get(key, 0),
            )
        )
    _label(rows, by)
    return rows


def _month_key(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    return str(value)[:7]


def _label(rows: list[SummaryRow], by: str) -> None:
    """Give each row its name and list filter (one query per dimension for the names)."""
    if by == "township":
        codes = [row.key.ljust(12, "0") for row in rows]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        for row in rows:
            code = row.key.ljust(12, "0")
            row.key, row.label, row.query = code, names.get(code, code), {"township": code}
        rows.sort(key=lambda r: r.key)
    elif by == "cadre":
        ids = [row.key for row in rows if row.key]
        postings = {p.pk: p for p in Posting.objects.filter(pk__in=ids).select_related("person")}
        for row in rows:
            posting = postings.get(row.key)
            row.label = f"{posting.person.name} · {posting.title}" if posting else ""
            row.query = {"posting": str(row.key)} if row.key else {"posting": "none"}
        rows.sort(key=lambda r: (r.key is None, r.label))
    elif by == "type":
        types = {t.pk: t for t in ActivityType.objects.filter(pk__in=[r.key for r in rows])}
        for row in rows:
            kind = types.get(row.key)
            row.label = kind.name if kind else str(row.key)
            row.query = {"type": str(row.key)}
        rows.sort(key=lambda r: (types[r.key].order if r.key in types else 0, r.key))
    else:
        for row in rows:
            row.label, row.query = row.key, {"month": row.key}
        rows.sort(key=lambda r: r.key)


def summary_total(rows: list[SummaryRow], *, queryset: ActivityQuerySet) -> SummaryRow:
    """The total line: sums of the rows, and the distinct technologies of all of them."""
    counted = queryset.counted().order_by()
    through = Activity.technologies.through
    techs = (
        through.objects.filter(activity__in=counted.values("pk"))
        .values("technology_id")
        .distinct()
        .count()
    )
    return SummaryRow(
        key=None,
        label="",
        activities=sum(r.activities for r in rows),
        participants=sum(r.participants for r in rows),
        technologies=techs,
    )
