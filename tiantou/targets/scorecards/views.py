"""Pages of township scorecards: the schemes, a scheme's ranking table and chart, editing
a scheme and its rules, and the ranking as Excel.

Schemes are fetched through `selectors` (404 outside scope), rights are checked
with `ensure_can` (403), every write goes through `services.py`, and every score comes
from `selectors.scheme_scores` (the engine's values).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.exporting import xlsx_response
from tiantou.core.forms import add_service_errors
from tiantou.core.importing import Column
from tiantou.core.views import AuthedRequest, form_view

from . import selectors, services
from .forms import BaseRuleFormSet, RuleFormSet, SchemeForm, rules_from

VIEW_PERM = "targets.view_scorescheme"


@login_required
def scheme_list(request: AuthedRequest) -> HttpResponse:
    """The scorecard schemes the user may see."""
    ensure_can(request.user, VIEW_PERM)
    context = {
        "schemes": selectors.scheme_list(user=request.user),
        "can_add": has_perm(request.user, services.ADD_PERM),
    }
    return render(request, "targets/scorecard_list.html", context)


@login_required
def scheme_create(request: AuthedRequest) -> HttpResponse:
    """A new scheme; its rules are added next."""
    ensure_can(request.user, services.ADD_PERM)
    form = SchemeForm(request.POST or None, user=request.user)
    return form_view(
        request,
        form=form,
        save=lambda: services.scheme_create(
            actor=request.user,
            region=form.cleaned_data["region"],
            year=form.cleaned_data["year"],
            name=form.cleaned_data["name"],
            sheet=form.cleaned_data["sheet"],
        ),
        success_message=_("The scheme has been created. Now add its rules."),
        success_url=lambda scheme: reverse("targets:scheme_edit", args=[scheme.pk]),
        template="targets/scorecard_form.html",
    )


def _chart(table: selectors.ScoreTable) -> dict[str, Any]:
    return {
        "names": [row.region.name for row in table.rows],
        "totals": [float(row.total) for row in table.rows],
        "label": _("Total points"),
    }


@login_required
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The ranking: townships × rules with actual, target and points, total and rank."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    ensure_can(request.user, VIEW_PERM, scheme)
    table = selectors.scheme_scores(scheme)
    history = audit_history(request.user, scheme)
    context = {
        "scheme": scheme,
        "table": table,
        "chart": _chart(table) if table.rows and table.rules else None,
        "can_edit": has_perm(request.user, services.CHANGE_PERM, scheme),
        "history": history,
    }
    return render(request, "targets/scorecard_detail.html", context)


@login_required
def scheme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a scheme's name, year and target sheet, and its rules."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    ensure_can(request.user, services.CHANGE_PERM, scheme)
    initial = {
        "year": scheme.year,
        "name": scheme.name,
        "sheet": scheme.sheet,
        "version": scheme.version,
    }
    rules = [
        {
            "indicator": r.indicator,
            "weight": r.weight,
            "cap_percent": r.cap_percent,
            "stretch_bonus": r.stretch_bonus,
        }
        for r in scheme.rules.all()
    ]
    form = SchemeForm(request.POST or None, initial=initial, user=request.user, with_region=False)
    formset = RuleFormSet(request.POST or None, initial=rules, prefix="rules")
    return form_view(
        request,
        form=form,
        formsets=[formset],
        save=lambda: services.scheme_update(
            actor=request.user,
            scheme=scheme,
            name=form.cleaned_data["name"],
            year=form.cleaned_data["year"],
            sheet=form.cleaned_data["sheet"],
            rules=rules_from(formset),
            expected_version=form.cleaned_data.get("version"),
        ),
        on_error=lambda error: _rule_errors(form, formset, error),
        success_message=_("The scheme has been saved."),
        success_url=lambda _saved: reverse("targets:scheme_detail", args=[scheme.pk]),
        template="targets/scorecard_form.html",
        context={"formset": formset, "scheme": scheme},
    )


def _rule_errors(form: SchemeForm, formset: BaseRuleFormSet, error: ValidationError) -> None:
    """Scheme errors on the scheme form; rule errors (by line) above the rules."""
    rule_fields = {"indicator", "weight", "cap_percent", "stretch_bonus"}
    if hasattr(error, "error_dict"):
        scheme_part = {k: v for k, v in error.error_dict.items() if k not in rule_fields}
        rule_part = [m for k, v in error.error_dict.items() if k in rule_fields for m in v]
        if scheme_part:
            add_service_errors(form, ValidationError(scheme_part))
        formset.rule_errors = [m for e in rule_part for m in e.messages]
    else:
        add_service_errors(form, error)


def _export_columns(table: selectors.ScoreTable) -> list[Column]:
    columns = [
        Column("rank", _("Rank"), export=lambda row: row.rank, width=6),
        Column("township", _("Township"), export=lambda row: row.region.name, width=16),
    ]
    no_target = _("Target not split")
    for index, rule in enumerate(table.rules):
        name = str(table.indicators[index].name)
        unit = table.indicators[index].unit

        def actual(row, i=index):
            return row.cells[i].value.number

        def target(row, i=index):
            cell = row.cells[i]
            return cell.target if cell.has_target else no_target

        def points(row, i=index):
            cell = row.cells[i]
            return cell.points if cell.has_target else no_target

        columns += [
            Column(
                f"actual_{index}",
                _("%(indicator)s: actual") % {"indicator": f"{name}（{unit}）"},
                export=actual,
            ),
            Column(
                f"target_{index}",
                _("%(indicator)s: target") % {"indicator": f"{name}（{unit}）"},
                export=target,
            ),
            Column(
                f"points_{index}",
                _("%(indicator)s: points (of %(weight)s)")
                % {"indicator": name, "weight": rule.weight},
                export=points,
            ),
        ]
    columns.append(Column("total", _("Total points"), export=lambda row: row.total, width=10))
    return columns


@login_required
def scheme_export(request: AuthedRequest, pk: int) -> FileResponse:
    """The ranking as an .xlsx file (for the county's overall assessment)."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    ensure_can(request.user, VIEW_PERM, scheme)
    table = selectors.scheme_scores(scheme)
    filename = f"{scheme.year}-" + _("scorecard") + f"-{scheme.pk}.xlsx"
    return xlsx_response(
        _export_columns(table), table.rows, filename=filename, sheet_title=scheme.name
    )
