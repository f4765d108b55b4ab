"""API endpoints of the indicators: the registry, and values for a scope and period with
last year, growth and the link to the records behind each number."""

from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tiantou.accounts.permissions import ensure_can
from tiantou.api.schemas import ERRORS

from . import engine, registry, selectors
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
