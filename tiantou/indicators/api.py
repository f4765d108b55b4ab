"""API endpoints of the indicators: the registry, and values for a scope and period with
last year, growth and the link to the records behind each number."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tiantou.accounts.permissions import ensure_can
from tiantou.api.schemas import ERRORS, Id, Year

from . import engine, registry, selectors, target_selectors
from .engine import Value

router = Router(tags=["indicators"])
VIEW_PERM = "indicators.view_indicators"


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str
    aggregation: str
    nature: str
    style: str
    description: str


class ValueOut(Schema):
    indicator: str
    group: str | None
    group_name: str | None
    value: Decimal | None
    previous: Decimal | None
    growth_percent: Decimal | None
    change: Decimal | None
    records_url: str


class ValuesOut(Schema):
    scope: str
    scope_name: str
    period: str
    period_name: str
    values: list[ValueOut]


class ValuesQuery(Schema):
    indicators: str = ""
    region: str = ""
    organisation: str = ""
    period: str = ""
    by: Literal["", "children", "months"] = ""
    compare: bool = False


@router.get("/indicators/", response={200: list[IndicatorOut], **ERRORS}, summary="Indicators")
def indicator_list(request):
    """Every declared indicator: key, Chinese name, unit, aggregation, stock or flow."""
    return [
        {**ind.__dict__, "name": str(ind.name), "description": str(ind.description)}
        for ind in registry.INDICATORS.values()
    ]


def _decimal(number) -> Decimal | None:
    return None if number is None else Decimal(number)


def _out(value: Value, group: str | None, group_name: str | None, base: str) -> dict:
    return {
        "indicator": value.indicator.key,
        "group": group,
        "group_name": group_name,
        "value": _decimal(value.number),
        "previous": _decimal(value.previous),
        "growth_percent": value.growth,
        "change": _decimal(value.change),
        "records_url": base + value.url,
    }


@router.get("/indicators/values", response={200: ValuesOut, **ERRORS}, summary="Values")
def indicator_values(request, query: Query[ValuesQuery]):
    """Values of the listed indicators (comma-separated keys; all when empty) for a region
    (12-digit code; the user's home region when empty) or an organisation, over a period
    (2026, 2026-H1, 2026-Q3, 2026-05 or 2024-03-01..2027-02-28; this year when empty);
    `by=children` adds each subdivision, `by=months` each month; `compare=true` adds the
    same period last year and the growth. Each value links to the records behind it."""
    user = request.auth
    keys = [k.strip() for k in query.indicators.split(",") if k.strip()] or list(
        registry.INDICATORS
    )
    unknown = [k for k in keys if k not in registry.INDICATORS]
    if unknown:
        raise ValidationError(
            {"indicators": [_("Unknown indicators: %(keys)s.") % {"keys": "、".join(unknown)}]}
        )
    scope = selectors.scope_from(user, region=query.region, organisation=query.organisation)
    ensure_can(user, VIEW_PERM, scope.region or scope.organisation)
    try:
        period = selectors.period_from(query.period)
    except ValueError as error:
        raise ValidationError({"period": [str(error)]}) from error
    by = {"children": engine.CHILDREN, "months": engine.MONTHS}.get(query.by)
    if by == engine.CHILDREN and scope.region is None:
        raise ValidationError({"by": [_("Subdivisions need a region, not an organisation.")]})
    result = engine.evaluate(keys, scope=scope, period=period, by=by, compare=query.compare)
    base = request.build_absolute_uri("/")[:-1]
    values = []
    for key in keys:
        values.append(_out(result.value(key), None, None, base))
        for group in result.groups:
            values.append(_out(result.value(key, group.key), group.key, group.label, base))
    return {
        "scope": next(iter(scope.params.values())),
        "scope_name": scope.name,
        "period": period.key,
        "period_name": period.label,
        "values": values,
    }


# ---- targets ----


class SheetOut(Schema):
    id: int
    region_code: str
    region_name: str
    year: int
    title: str
    status: str


class ProgressOut(Schema):
    target: Decimal | None
    stretch: Decimal | None
    actual: Decimal | None
    percent: Decimal | None
    expected_by_now: Decimal | None
    status: str
    status_name: str
    records_url: str


class ShareOut(Schema):
    receiver: str
    region_code: str | None
    organisation_id: int | None
    progress: ProgressOut


class ItemOut(Schema):
    id: int
    name: str
    indicator: str
    unit: str
    as_written: str
    progress: ProgressOut
    shares: list[ShareOut]


class SheetProgressOut(Schema):
    sheet: SheetOut
    on: datetime.date
    year_share_passed: float
    items: list[ItemOut]


def _sheet(sheet) -> dict:
    return {
        "id": sheet.pk,
        "region_code": sheet.region_id,
        "region_name": sheet.region.name,
        "year": sheet.year,
        "title": sheet.title,
        "status": sheet.status,
    }


def _progress(progress, base: str) -> dict:
    return {
        "target": progress.target,
        "stretch": progress.stretch,
        "actual": _decimal(progress.actual),
        "percent": progress.percent,
        "expected_by_now": progress.expected,
        "status": progress.status,
        "status_name": str(progress.status_label),
        "records_url": base + progress.url if progress.url else "",
    }


@router.get("/targets/", response={200: list[SheetOut], **ERRORS}, summary="Target sheets")
def target_sheet_list(request, year: Year | None = None):
    """Target sheets the user sees (their region's, and issued ones that give them a share)."""
    return [_sheet(sheet) for sheet in target_selectors.sheet_list(request.auth, year=year)]


@router.get(
    "/targets/{int:pk}/progress",
    response={200: SheetProgressOut, **ERRORS},
    summary="Progress of a target sheet",
)
def target_sheet_progress(request, pk: Id):
    """Every item's progress against its target and schedule, and each share's; a township
    that only receives shares of a sheet from above sees its own shares."""
    user = request.auth
    sheet = target_selectors.sheet_get(user, pk)
    whole = target_selectors.sees_whole(user, sheet)
    ensure_can(user, "indicators.view_targetsheet", sheet if whole else None)
    progress = target_selectors.sheet_progress(sheet)
    seen = target_selectors.shares_seen(user, sheet)
    base = request.build_absolute_uri("/")[:-1]
    items = []
    for row in progress.items:
        items.append(
            {
                "id": row.item.pk,
                "name": row.item.name,
                "indicator": row.item.indicator,
                "unit": row.item.unit,
                "as_written": target_selectors.target_text(row.item),
                "progress": _progress(row.progress, base),
                "shares": [
                    {
                        "receiver": share.split.receiver_name,
                        "region_code": share.split.region_id,
                        "organisation_id": share.split.organisation_id,
                        "progress": _progress(share.progress, base),
                    }
                    for share in row.splits
                    if seen(share.split)
                ],
            }
        )
    return {
        "sheet": _sheet(sheet),
        "on": progress.today,
        "year_share_passed": progress.year_share,
        "items": items,
    }
