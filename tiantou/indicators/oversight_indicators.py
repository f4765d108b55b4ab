"""Indicators of the dispatched cadres' own work and of their oversight: what the cadres'
postings recorded in the ledger (the "五个一" figures), work reports submitted against the
slots due, and spot checks with the presence rate.

Each source here runs one grouped query like the others (see `sources.py`); they are
registered into `sources.SOURCES` and the indicators into the registry when the app is
ready (`apps.IndicatorsConfig.ready`).
"""

import datetime as dt
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tiantou.core.periods import Period

from . import registry, sources
from .registry import COUNT, DISTINCT, RATIO, STOCK, STYLE_SHARE, SUM, Indicator
from .sources import ActivitySource, PostingSource, RecordColumn, Source, TechnologySource

TOWNSHIP_LENGTH = 9


# ---- the cadres' own work: ledger records organised by a posting ----


class CadreActivitySource(ActivitySource):
    """Confirmed activities organised by a dispatched cadre (their posting is recorded)."""

    key = "cadre_activities"
    family = "activities"  # read in the same scan as all activities

    def narrow(self) -> Q:
        return Q(posting__isnull=False)

    def base(self) -> QuerySet:
        return super().base().filter(self.narrow())


class CadreTechnologySource(TechnologySource):
    """Technologies and varieties named on confirmed activities organised by a cadre."""

    key = "cadre_technologies"
    family = "technologies"

    def narrow(self) -> Q:
        return Q(activity__posting__isnull=False)

    def base(self) -> QuerySet:
        return super().base().filter(self.narrow())


# ---- spot checks (随机查岗) ----


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in the local time zone: an indexable range
    for a datetime column, without a date function on every row."""
    low = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    high = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return low, high


class SpotCheckSource(Source):
    """Drawn postings of spot checks, by the host township of the cadre and the day of the
    draw; `where` {"result": [...]} selects what the inspector found."""

    key = "spotchecks"
    region_field = "posting__host_region_id"
    organisation_field = "posting__host_organisation_id"
    columns = {
        "township": Substr("posting__host_region_id", 1, TOWNSHIP_LENGTH),
        "person": F("posting__person_id"),
    }
    related = ("draw", "posting__person", "posting__host_region")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("drawn at"), lambda c: timezone.localtime(c.draw.drawn_at).date()),
            RecordColumn(_("name"), lambda c: c.posting.person.name),
            RecordColumn(_("township"), lambda c: c.posting.host_region.name),
            RecordColumn(_("result"), lambda c: c.get_result_display()),
            RecordColumn(_("note"), lambda c: c.note),
        ]

    def base(self) -> QuerySet:
        from tiantou.ledger.models import SpotCheck

        return SpotCheck.objects.all()

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        low, high = day_bounds(start, end)
        return Q(draw__drawn_at__gte=low, draw__drawn_at__lt=high)

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        return self.rows_for(window.start, window.end, today)

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        if "result" in indicator.where:
            return Q(result__in=indicator.where["result"])
        return Q()

    def records(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> QuerySet:
        return super().records(indicator, condition).order_by("draw__drawn_at", "posting_id")

    def record_url(self, record: Any) -> str:
        return reverse("ledger:spotcheck_detail", args=[record.draw_id])


# ---- work reports (思想和工作汇报) ----


class WorkReportSource(Source):
    """Cadres' work reports, by the due date of the slot they answer."""

    key = "work_reports"
    region_field = "posting__host_region_id"
    organisation_field = "posting__host_organisation_id"
    columns = {"township": Substr("posting__host_region_id", 1, TOWNSHIP_LENGTH)}
    related = ("posting__person", "posting__host_region")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("name"), lambda r: r.posting.person.name),
            RecordColumn(_("township"), lambda r: r.posting.host_region.name),
            RecordColumn(_("due on"), lambda r: r.due_on),
            RecordColumn(
                _("submitted at"),
                lambda r: timezone.localtime(r.submitted_at).date() if r.submitted_at else "",
            ),
        ]

    def base(self) -> QuerySet:
        from tiantou.ledger.models import WorkReport

        return WorkReport.objects.all()

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(due_on__range=(start, end))

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        # Slots due so far, like the slots owed (a report written early for a later due
        # date does not count before that date).
        return Q(due_on__range=(window.start, min(window.end, today)))

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if indicator.where.get("submitted"):
            condition &= Q(submitted_at__isnull=False)
        if indicator.where.get("on_time"):
            condition &= Q(submitted_at__isnull=False, submitted_at__date__lte=F("due_on"))
        return condition

    def record_url(self, record: Any) -> str:
        return reverse("ledger:report_detail", args=[record.pk])


def _due_dates(start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """The due dates inside [start, end], each with the reports a year that owe it (the
    same calendar as `ledger.oversight.selectors.reports_due`)."""
    from tiantou.ledger.oversight.selectors import DUE_DATES

    found = []
    for year in range(start.year, end.year + 1):
        for per_year, dates in DUE_DATES.items():
            for month, day in dates:
                due_on = dt.date(year, month, day)
                if start <= due_on <= end:
                    found.append((due_on, per_year))
    return sorted(found)


def _owes(due_on: dt.date, per_year: int) -> Q:
    """Postings that owe the report due on `due_on`: the programme asks for `per_year`
    reports and the term (to its early end, if any) covers the day."""
    return Q(programme__reports_per_year=per_year, starts_on__lte=due_on) & (
        Q(ended_on__isnull=True, ends_on__gte=due_on) | Q(ended_on__gte=due_on)
    )


class WorkReportSlotSource(Source):
    """The work reports cadres owe: for each posting that took office, one slot per due
    date of its programme inside its term (思想和工作汇报, 1–2 a year)."""

    key = "work_report_slots"
    region_field = "host_region_id"
    organisation_field = "host_organisation_id"
    columns = {"township": Substr("host_region_id", 1, TOWNSHIP_LENGTH)}
    related = ("person", "programme", "host_region")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("name"), lambda p: p.person.name),
            RecordColumn(_("programme"), lambda p: p.programme.name),
            RecordColumn(_("township"), lambda p: p.host_region.name),
            RecordColumn(_("term starts on"), lambda p: p.starts_on),
            RecordColumn(_("term ends on"), lambda p: p.ended_on or p.ends_on),
        ]

    def base(self) -> QuerySet:
        from tiantou.ledger.oversight.selectors import SERVED
        from tiantou.people.models import Posting

        return Posting.objects.filter(status__in=SERVED)

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(starts_on__lte=end)

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        # No row is outside a window: what a posting owes depends on the window's due dates
        # (see `aggregate`).
        return Q()

    def aggregate(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> Any:
        """Per posting, the due dates of the window (reached by `today`: a year's report is
        not owed before its date) that its programme and term owe."""
        assert window is not None and today is not None
        slots = [
            Case(When(_owes(due_on, per_year), then=Value(1)), default=Value(0))
            for due_on, per_year in _due_dates(window.start, min(window.end, today))
        ]
        if not slots:
            return Sum(Value(0), filter=condition or None, output_field=IntegerField())
        total = slots[0]
        for slot in slots[1:]:
            total = total + slot  # type: ignore[assignment]
        return Sum(total, filter=condition or None, output_field=IntegerField())

    def records(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> QuerySet:
        owing = Q(pk__in=[])
        if window is not None and today is not None:
            for due_on, per_year in _due_dates(window.start, min(window.end, today)):
                owing |= _owes(due_on, per_year)
        return (
            self.base()
            .filter(condition & owing)
            .select_related(*self.related)
            .order_by("host_region_id", "person__name", "id")
        )

    def record_url(self, record: Any) -> str:
        return reverse("people:posting_detail", args=[record.pk])


# ---- cadres in office by programme kind and by where they were hired ----


class ProgrammePostingSource(PostingSource):
    """Postings as in `PostingSource`, which may also be chosen by programme kind."""

    key = "programme_postings"
    family = "postings"

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = super().where(indicator, context)
        if kinds := indicator.where.get("programme_kind"):
            condition &= Q(programme__kind__in=kinds)
        return condition


for _source in (
    ProgrammePostingSource(),
    CadreActivitySource(),
    CadreTechnologySource(),
    SpotCheckSource(),
    WorkReportSource(),
    WorkReportSlotSource(),
):
    sources.SOURCES[_source.key] = _source

PRESENT, EXCUSED, ABSENT, PENDING = "present", "excused", "absent", ""


def _programme_kind_indicators() -> list[Indicator]:
    """cadres_deputy, cadres_assistant …: cadres in office by programme kind (for the
    breakdown sentence of a report covering several programmes)."""
    from tiantou.people.choices import ProgrammeKind

    return [
        Indicator(
            f"cadres_{kind.value}",
            format_lazy("{}: {}", _("cadres in office"), kind.label),
            "名",
            "programme_postings",
            DISTINCT,
            nature=STOCK,
            column="person",
            where={"programme_kind": [kind.value]},
        )
        for kind in ProgrammeKind
    ]


registry.register(*_programme_kind_indicators())

registry.register(
    # ---- I055: 其中县派…含聘请县外…乡镇派…含聘请县外… ----
    Indicator(
        "cadres_county_level_outside",
        _("cadres sent by the county and hired from outside it"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"dispatch_level": ["city", "county"], "from_outside": True},
    ),
    Indicator(
        "cadres_township_level_outside",
        _("cadres sent by townships and hired from outside the county"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"dispatch_level": ["township"], "from_outside": True},
    ),
    # ---- the cadres' "五个一" (domain spec §4.1 I001–I003, I010–I014) ----
    Indicator(
        "cadre_activities",
        _("activities recorded by cadres"),
        "次",
        "cadre_activities",
        COUNT,
        description=_("Confirmed activities organised by a dispatched cadre."),
    ),
    Indicator(
        "cadre_trainings",
        _("training sessions run by cadres"),
        "期",
        "cadre_activities",
        COUNT,
        where={"types": ["training"]},
    ),
    Indicator(
        "cadre_trainees",
        _("people trained by cadres"),
        "人次",
        "cadre_activities",
        SUM,
        column="participants",
        where={"types": ["training"]},
    ),
    Indicator(
        "cadre_enterprises",
        _("enterprises supported by cadres"),
        "家",
        "cadre_activities",
        SUM,
        column="enterprises",
        where={"types": ["enterprise_support"]},
    ),
    Indicator(
        "cadre_output_value",
        _("output value added through cadres' work"),
        "元",
        "cadre_activities",
        SUM,
        column="output_value",
        description=_("Written the way speeches round it: 增加产值近千万元."),
    ),
    Indicator(
        "cadre_technologies",
        _("new technologies promoted by cadres"),
        "项",
        "cadre_technologies",
        DISTINCT,
        column="technology_id",
        where={"kind": "technology"},
    ),
    Indicator(
        "cadre_varieties",
        _("new varieties introduced by cadres"),
        "个",
        "cadre_technologies",
        DISTINCT,
        column="technology_id",
        where={"kind": "variety"},
    ),
    # ---- work reports (思想和工作汇报) ----
    Indicator(
        "work_reports_due",
        _("work reports due"),
        "份",
        "work_report_slots",
        SUM,
        description=_("One per due date of the programme inside each term (1–2 a year)."),
    ),
    Indicator(
        "work_reports_submitted",
        _("work reports submitted"),
        "份",
        "work_reports",
        COUNT,
        where={"submitted": True},
    ),
    Indicator(
        "work_reports_on_time",
        _("work reports submitted on time"),
        "份",
        "work_reports",
        COUNT,
        where={"on_time": True},
    ),
    Indicator(
        "work_report_rate",
        _("share of work reports submitted"),
        "%",
        "derived",
        RATIO,
        style=STYLE_SHARE,
        numerator="work_reports_submitted",
        denominator="work_reports_due",
    ),
    # ---- spot checks (随机查岗) ----
    Indicator(
        "spotchecks_drawn",
        _("cadres drawn for spot checks"),
        "人次",
        "spotchecks",
        COUNT,
    ),
    Indicator(
        "spotchecks_present",
        _("found present at spot checks"),
        "人次",
        "spotchecks",
        COUNT,
        where={"result": [PRESENT]},
    ),
    Indicator(
        "spotchecks_excused",
        _("away with leave at spot checks"),
        "人次",
        "spotchecks",
        COUNT,
        where={"result": [EXCUSED]},
    ),
    Indicator(
        "spotchecks_absent",
        _("absent without leave at spot checks"),
        "人次",
        "spotchecks",
        COUNT,
        where={"result": [ABSENT]},
    ),
    Indicator(
        "spotchecks_pending",
        _("spot checks without a result yet"),
        "人次",
        "spotchecks",
        COUNT,
        where={"result": [PENDING]},
    ),
    Indicator(
        "spotchecks_rated",
        _("spot checks counted for the presence rate"),
        "人次",
        "spotchecks",
        COUNT,
        where={"result": [PRESENT, ABSENT]},
        description=_("Present or absent without leave; absences with leave are left out."),
    ),
    Indicator(
        "presence_rate",
        _("presence rate at spot checks"),
        "%",
        "derived",
        RATIO,
        style=STYLE_SHARE,
        numerator="spotchecks_present",
        denominator="spotchecks_rated",
        description=_("Present ÷ (present + absent without leave), as on the presence page."),
    ),
    # ---- figures of the science association's report (seed 003) ----
    Indicator(
        "event_experts",
        _("experts at science events"),
        "人次",
        "activities",
        SUM,
        column="experts",
        where={"types": registry.EVENT_TYPES},
    ),
    Indicator(
        "event_townships",
        _("townships reached by science events"),
        "个",
        "activities",
        DISTINCT,
        column="township",
        where={"types": registry.EVENT_TYPES},
    ),
    Indicator(
        "consultation_sessions",
        _("consultation sessions"),
        "期",
        "activities",
        COUNT,
        where={"types": ["consultation"]},
    ),
    Indicator(
        "countryside_experts",
        _("experts at science-to-countryside events"),
        "人次",
        "activities",
        SUM,
        column="experts",
        where={"types": ["three_to_countryside"]},
    ),
    Indicator(
        "countryside_participants",
        _("people reached by science-to-countryside events"),
        "人次",
        "activities",
        SUM,
        column="participants",
        where={"types": ["three_to_countryside"]},
    ),
    Indicator(
        "youth_activities",
        _("youth science activities"),
        "次",
        "activities",
        COUNT,
        where={"types": ["youth_activity"]},
    ),
    Indicator(
        "youth_participants",
        _("young people taking part in science activities"),
        "人次",
        "activities",
        SUM,
        column="participants",
        where={"types": ["youth_activity"]},
    ),
    Indicator(
        "exhibitions",
        _("popular-science exhibitions"),
        "次",
        "activities",
        COUNT,
        where={"types": ["exhibition"]},
    ),
    Indicator(
        "media_outputs",
        _("media publicity pieces"),
        "次",
        "activities",
        COUNT,
        where={"types": ["media_output"]},
    ),
)
