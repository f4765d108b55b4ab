"""Indicator pages: every figure of a scope and period (with last year and growth, and per
child region), and one value's page listing the records behind it."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from tiantou.accounts.permissions import ensure_can

from . import engine, registry, selectors

VIEW_PERM = "indicators.view_indicators"
RECORDS_PER_PAGE = 50


def _scope_and_period(request):
    scope = selectors.scope_from(
        request.user,
        region=request.GET.get("region", ""),
        organisation=request.GET.get("organisation", ""),
    )
    ensure_can(request.user, VIEW_PERM, scope.region or scope.organisation)
    error = ""
    try:
        period = selectors.period_from(request.GET.get("period", ""))
    except ValueError as exc:
        error = str(exc)
        period = selectors.period_from("")
    return scope, period, error


@login_required
def overview(request):
    """Every indicator for the scope and period, with last year and growth; with
    `by=children` a column per child region."""
    scope, period, error = _scope_and_period(request)
    by = engine.CHILDREN if request.GET.get("by") == "children" and scope.region else None
    result = engine.evaluate(registry.INDICATORS, scope=scope, period=period, by=by, compare=True)
    rows = [
        {
            "indicator": indicator,
            "value": result.value(indicator.key),
            "cells": [result.value(indicator.key, g.key) for g in result.groups],
        }
        for indicator in result.indicators
    ]
    return render(
        request,
        "indicators/overview.html",
        {
            "scope": scope,
            "period": period,
            "result": result,
            "rows": rows,
            "by": by,
            "error": error,
            "period_choices": selectors.period_choices(user=request.user),
        },
    )


@login_required
def value(request):
    """One value and the records behind it (its provenance)."""
    if not request.GET.get("indicator"):
        return redirect("indicators:overview")
    try:
        indicator = registry.get(request.GET.get("indicator", ""))
    except KeyError:
        raise Http404 from None
    scope, period, error = _scope_and_period(request)
    if error:
        raise Http404
    result = engine.evaluate([indicator.key], scope=scope, period=period, compare=True)
    context = {
        "indicator": indicator,
        "scope": scope,
        "period": period,
        "value": result.value(indicator.key),
    }
    if indicator.is_derived:
        parts = engine.evaluate(
            [indicator.numerator, indicator.denominator], scope=scope, period=period
        )
        context["parts"] = [parts.value(indicator.numerator), parts.value(indicator.denominator)]
    else:
        source, records = engine.records(indicator, scope=scope, period=period)
        page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            {
                "columns": source.record_columns,
                "page": page,
                "rows": [
                    {
                        "url": source.record_url(record),
                        "cells": [column.read(record) for column in source.record_columns],
                    }
                    for record in page
                ],
            }
        )
    return render(request, "indicators/value.html", context)
