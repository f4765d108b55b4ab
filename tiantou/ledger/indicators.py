"""Indicators of the work ledger and of the oversight of cadres, and the sources they read:
activities and the technologies named on them (domain spec §4.1, §4.4, §4.6), the
cadres' own work (the "五个一" figures), work reports against the slots due, spot checks
with the presence rate, and the figures of the science association's report. Collected
by the indicator registry.

Each source runs one grouped query like the others (see `tiantou.indicators.sources`).
"""

import datetime as dt
from operator import attrgetter
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core.periods import Period
from tiantou.indicators import registry, sources
from tiantou.indicators.registry import (
    COUNT,
    DISTINCT,
    RATIO,
    STYLE_AMOUNT,
    STYLE_SHARE,
    SUM,
    Indicator,
)
from tiantou.indicators.sources import RecordColumn, Source, day_bounds, township_of
from tiantou.people.models import Posting

from .choices import MEASURES, SpotCheckResult
from .models import Activity, ActivityType, SpotCheck, WorkReport
from .oversight.selectors import DUE_DATES, SERVED
from .querysets import COUNTED

EVENT_TYPES = ["sci_week", "three_to_countryside", "popularisation_campaign"]
FIELD_TYPES = ["tech_promotion", "new_variety", "demo_base"]

# ---- the work ledger ----


class ActivitySource(Source):
    """Confirmed (or locked) activities of the work ledger, by place and date."""

    key = "activities"
    region_field = "region_id"
    organisation_field = "organisation_id"
    month_field = "starts_on"
    columns = {"township": township_of("region_id"), "person": F("posting__person_id")}
    related: tuple[str, ...] = ("activity_type", "region", "posting__person", "organisation")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("date"), lambda a: a.starts_on),
            RecordColumn(_("title"), lambda a: a.title),
            RecordColumn(_("type"), lambda a: a.activity_type.name),
            RecordColumn(_("place"), lambda a: a.region.name),
            RecordColumn(_("cadre"), lambda a: a.posting.person.name if a.posting else ""),
            RecordColumn(_("unit"), lambda a: a.organisation.name if a.organisation else ""),
        ] + [RecordColumn(f"{m.label}（{m.unit}）", attrgetter(m.key)) for m in MEASURES]

    def base(self) -> QuerySet:
        return Activity.objects.counted()

    def prepare(self, context: dict[str, Any]) -> dict[str, Any]:
        if "type_ids" not in context:
            context["type_ids"] = dict(ActivityType.objects.values_list("key", "id"))
        return context

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(starts_on__range=(start, end))

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        return Q(starts_on__range=(window.start, window.end))

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if types := indicator.where.get("types"):
            ids = [context["type_ids"][key] for key in types if key in context["type_ids"]]
            condition &= Q(activity_type_id__in=ids)
        return condition

    def record_url(self, record: Any) -> str:
        return reverse("ledger:activity_detail", args=[record.pk])


class TechnologySource(ActivitySource):
    """Technologies and varieties named on confirmed activities (for distinct counts)."""

    key = "technologies"
    region_field = "activity__region_id"
    organisation_field = "activity__organisation_id"
    month_field = "activity__starts_on"
    columns = {"township": township_of("activity__region_id")}
    related = (
        "activity__activity_type",
        "activity__region",
        "activity__posting__person",
        "activity__organisation",
        "technology",
    )

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("technology or variety"), lambda t: t.technology.name),
            RecordColumn(_("date"), lambda t: t.activity.starts_on),
            RecordColumn(_("title"), lambda t: t.activity.title),
            RecordColumn(_("type"), lambda t: t.activity.activity_type.name),
            RecordColumn(_("place"), lambda t: t.activity.region.name),
            RecordColumn(
                _("cadre"),
                lambda t: t.activity.posting.person.name if t.activity.posting else "",
            ),
        ]

    def base(self) -> QuerySet:
        return Activity.technologies.through.objects.filter(activity__status__in=COUNTED)

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(activity__starts_on__range=(start, end))

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        return Q(activity__starts_on__range=(window.start, window.end))

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if kind := indicator.where.get("kind"):
            condition &= Q(technology__kind=kind)
        if types := indicator.where.get("types"):
            ids = [context["type_ids"][key] for key in types if key in context["type_ids"]]
            condition &= Q(activity__activity_type_id__in=ids)
        return condition

    def records(
        self, indicator: Indicator, condition: Q, window: Period | None = None, today=None
    ) -> QuerySet:
        return super().records(indicator, condition).order_by("technology__name", "activity_id")

    def record_url(self, record: Any) -> str:
        return reverse("ledger:activity_detail", args=[record.activity_id])


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


class SpotCheckSource(Source):
    """Drawn postings of spot checks, by the host township of the cadre and the day of the
    draw; `where` {"result": [...]} selects what the inspector found."""

    key = "spotchecks"
    region_field = "posting__host_region_id"
    organisation_field = "posting__host_organisation_id"
    columns = {
        "township": township_of("posting__host_region_id"),
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
    columns = {"township": township_of("posting__host_region_id")}
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
    same calendar as `oversight.selectors.reports_due`)."""
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
    columns = {"township": township_of("host_region_id")}
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


sources.register(
    ActivitySource(),
    TechnologySource(),
    CadreActivitySource(),
    CadreTechnologySource(),
    SpotCheckSource(),
    WorkReportSource(),
    WorkReportSlotSource(),
)

# The results a spot check may record, as the indicators' filters name them.
PRESENT = SpotCheckResult.PRESENT.value
EXCUSED = SpotCheckResult.EXCUSED.value
ABSENT = SpotCheckResult.ABSENT.value
PENDING = SpotCheckResult.PENDING.value

registry.register(
    # ---- the work ledger (domain spec §4.1, §4.4, §4.6) ----
    Indicator(
        "activities",
        _("activities recorded"),
        "次",
        "activities",
        COUNT,
        description=_("Confirmed activities of every type."),
    ),
    Indicator(
        "trainings",
        _("training sessions"),
        "期",
        "activities",
        COUNT,
        where={"types": ["training"]},
        description=_("Confirmed activities of the type 科技培训."),
    ),
    Indicator(
        "trainees",
        _("person-times trained"),
        "人次",
        "activities",
        SUM,
        column="participants",
        where={"types": ["training"]},
        description=_("Sum of the participants of confirmed training sessions (person-times)."),
    ),
    Indicator(
        "technologies",
        _("new technologies promoted"),
        "项",
        "technologies",
        DISTINCT,
        column="technology_id",
        where={"kind": "technology"},
        description=_(
            "Distinct technologies of the catalogue named on confirmed records: one "
            "technology promoted in three villages counts once."
        ),
    ),
    Indicator(
        "varieties",
        _("new varieties introduced"),
        "个",
        "technologies",
        DISTINCT,
        column="technology_id",
        where={"kind": "variety"},
        description=_("Distinct varieties of the catalogue named on confirmed records."),
    ),
    Indicator(
        "promotions",
        _("technology promotions"),
        "次",
        "activities",
        COUNT,
        where={"types": ["tech_promotion", "new_variety"]},
    ),
    Indicator(
        "promoted_area",
        _("area of promotions and demonstration bases"),
        "亩",
        "activities",
        SUM,
        column="area_mu",
        where={"types": FIELD_TYPES},
    ),
    Indicator(
        "output_value",
        _("added output value"),
        "元",
        "activities",
        SUM,
        style=STYLE_AMOUNT,
        column="output_value",
    ),
    Indicator(
        "demo_bases",
        _("demonstration bases built"),
        "个",
        "activities",
        COUNT,
        where={"types": ["demo_base"]},
    ),
    Indicator(
        "enterprises_supported",
        _("enterprises supported"),
        "家",
        "activities",
        SUM,
        column="enterprises",
        where={"types": ["enterprise_support"]},
    ),
    Indicator(
        "consultations",
        _("person-times consulted"),
        "人次",
        "activities",
        SUM,
        column="consultations",
    ),
    Indicator(
        "materials",
        _("materials handed out"),
        "份",
        "activities",
        SUM,
        column="materials",
    ),
    Indicator(
        "boards",
        _("display boards shown"),
        "块",
        "activities",
        SUM,
        column="boards",
    ),
    Indicator(
        "experts",
        _("expert person-times"),
        "人次",
        "activities",
        SUM,
        column="experts",
    ),
    Indicator(
        "events",
        _("science events held"),
        "次",
        "activities",
        COUNT,
        where={"types": EVENT_TYPES},
        description=_("科技活动周, 科技三下乡 and 科普大行动 events."),
    ),
    Indicator(
        "event_participants",
        _("person-times reached by science events"),
        "人次",
        "activities",
        SUM,
        column="participants",
        where={"types": EVENT_TYPES},
    ),
    Indicator(
        "countryside_events",
        _("science-to-countryside events"),
        "次",
        "activities",
        COUNT,
        where={"types": ["three_to_countryside"]},
    ),
    Indicator(
        "lectures",
        _("popular-science lectures"),
        "场",
        "activities",
        COUNT,
        where={"types": ["lecture"]},
    ),
    Indicator(
        "participants",
        _("person-times taking part in all activities"),
        "人次",
        "activities",
        SUM,
        column="participants",
    ),
    Indicator(
        "townships_reached",
        _("townships reached"),
        "个",
        "activities",
        DISTINCT,
        column="township",
        description=_("Distinct townships where confirmed activities took place."),
    ),
    Indicator(
        "cadres_recording",
        _("cadres with recorded work"),
        "名",
        "activities",
        DISTINCT,
        column="person",
        description=_("Distinct persons whose postings organised confirmed activities."),
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
        _("person-times trained by cadres"),
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
        _("spot-check person-times without a result yet"),
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
        _("expert person-times at science events"),
        "人次",
        "activities",
        SUM,
        column="experts",
        where={"types": EVENT_TYPES},
    ),
    Indicator(
        "event_townships",
        _("townships reached by science events"),
        "个",
        "activities",
        DISTINCT,
        column="township",
        where={"types": EVENT_TYPES},
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
        _("expert person-times at science-to-countryside events"),
        "人次",
        "activities",
        SUM,
        column="experts",
        where={"types": ["three_to_countryside"]},
    ),
    Indicator(
        "countryside_participants",
        _("person-times reached by science-to-countryside events"),
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
        _("young person-times taking part in science activities"),
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
