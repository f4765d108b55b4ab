"""Indicators of the dispatch programmes: cadres in office, sent, hired and recalled, read
from the postings (domain spec §4.1, I055). Collected by the indicator registry."""

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.models import User
from tiantou.core.periods import Period
from tiantou.indicators import registry, sources
from tiantou.indicators.registry import DISTINCT, FLOW, RATIO, STOCK, STYLE_SHARE, Indicator
from tiantou.indicators.sources import RecordColumn, Source, township_of

from .choices import ProgrammeKind
from .models import Posting
from .selectors import batch_choices
from .services import default_term_end

# Postings that were never taken up do not count.
NOT_TAKEN_UP = ("planned", "withdrawn")


class PostingSource(Source):
    """Postings of the dispatch programmes, by host township: in office at a day (stock),
    started or recalled within a period (flow)."""

    key = "postings"
    region_field = "host_region_id"
    organisation_field = "host_organisation_id"
    columns = {"township": township_of("host_region_id"), "person": F("person_id")}
    related = ("person", "programme", "host_region")

    @property
    def record_columns(self) -> list[RecordColumn]:  # type: ignore[override]
        return [
            RecordColumn(_("name"), lambda p: p.person.name),
            RecordColumn(_("post title"), lambda p: p.title),
            RecordColumn(_("programme"), lambda p: p.programme.name),
            RecordColumn(_("township"), lambda p: p.host_region.name),
            RecordColumn(_("engagement"), lambda p: p.get_mode_display()),
            RecordColumn(_("dispatched by"), lambda p: p.get_dispatch_level_display()),
            RecordColumn(_("term starts on"), lambda p: p.starts_on),
            RecordColumn(_("term ends on"), lambda p: p.ends_on),
            RecordColumn(_("status"), lambda p: p.get_status_display()),
        ]

    def base(self) -> QuerySet:
        return Posting.objects.exclude(status__in=NOT_TAKEN_UP)

    def rows_for(self, start: dt.date, end: dt.date, today: dt.date) -> Q:
        return Q(starts_on__lte=end)

    def in_window(self, indicator: Indicator, window: Period, today: dt.date) -> Q:
        if indicator.where.get("recalled"):
            return Q(status="recalled", ended_on__range=(window.start, window.end))
        if indicator.nature == FLOW:
            return Q(starts_on__range=(window.start, window.end))
        day = min(window.end, today)
        return Q(starts_on__lte=day, ends_on__gte=day) & (
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = Q()
        if levels := indicator.where.get("dispatch_level"):
            condition &= Q(dispatch_level__in=levels)
        if modes := indicator.where.get("mode"):
            condition &= Q(mode__in=modes)
        if indicator.where.get("from_outside"):
            condition &= Q(is_from_outside_county=True)
        return condition

    def record_url(self, record: Any) -> str:
        return reverse("people:posting_detail", args=[record.pk])


class ProgrammePostingSource(PostingSource):
    """Postings as in `PostingSource`, which may also be chosen by programme kind."""

    key = "programme_postings"
    family = "postings"

    def where(self, indicator: Indicator, context: dict[str, Any]) -> Q:
        condition = super().where(indicator, context)
        if kinds := indicator.where.get("programme_kind"):
            condition &= Q(programme__kind__in=kinds)
        return condition


sources.register(PostingSource(), ProgrammePostingSource())

registry.register(
    Indicator(
        "cadres_in_office",
        _("cadres in office"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        description=_("Distinct persons in office at the end of the period."),
    ),
    Indicator(
        "cadres_county_level",
        _("cadres sent by the county"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"dispatch_level": ["city", "county"]},
    ),
    Indicator(
        "cadres_township_level",
        _("cadres sent by townships"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"dispatch_level": ["township"]},
    ),
    Indicator(
        "cadres_from_outside",
        _("cadres hired from outside the county"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"from_outside": True},
    ),
    Indicator(
        "cadres_hired",
        _("cadres hired (外聘)"),
        "名",
        "postings",
        DISTINCT,
        nature=STOCK,
        column="person",
        where={"mode": ["hired"]},
    ),
    Indicator(
        "hired_share",
        _("share of hired cadres"),
        "%",
        "derived",
        RATIO,
        nature=STOCK,
        style=STYLE_SHARE,
        numerator="cadres_hired",
        denominator="cadres_in_office",
    ),
    Indicator(
        "cadres_new",
        _("cadres newly sent"),
        "名",
        "postings",
        DISTINCT,
        column="person",
        description=_("Distinct persons whose postings started within the period."),
    ),
    Indicator(
        "cadres_recalled",
        _("cadres recalled"),
        "名",
        "postings",
        DISTINCT,
        column="person",
        where={"recalled": True},
    ),
    # ---- cadres in office by programme kind: cadres_deputy, cadres_assistant … (for the
    # breakdown sentence of a report covering several programmes) ----
    *(
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
    ),
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
)


# How many of the latest batches' terms the indicator pages offer as periods.
TERM_CHOICES = 6


@registry.register_periods
def batch_terms(user: User) -> list[tuple[str, Period]]:
    """The latest batches' terms the user sees, from the term's start for the programme's
    term length, as periods of the indicator pages (e.g. 科技副职2026年第1批任期)."""
    batches = batch_choices(user=user).order_by("-term_start_on")[:TERM_CHOICES]
    return [
        (
            f"{batch.programme.name}{batch.year}年第{batch.number}批任期",
            Period.between(
                batch.term_start_on, default_term_end(batch.term_start_on, batch.programme)
            ),
        )
        for batch in batches
    ]
