"""The dashboard and the error pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import has_perm
from tiantou.indicators import dashboard as indicator_dashboard
from tiantou.indicators import selectors as indicator_selectors
from tiantou.people import selectors as people_selectors
from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import Level, OrganisationKind


@login_required
def dashboard(request):
    summary = region_selectors.scope_summary(user=request.user)
    kinds = [
        (label, summary["organisations_by_kind"].get(value, 0))
        for value, label in OrganisationKind.choices
    ]
    if has_perm(request.user, "people.view_posting"):
        summary["cadres_in_office"] = people_selectors.current_posting_count(user=request.user)
    roots = region_selectors.top_regions(user=request.user)
    return render(
        request,
        "web/dashboard.html",
        {
            "summary": summary,
            "organisation_kinds": kinds,
            "roots": roots,
            "breakdown": _breakdown_chart(request.user, roots),
            "figures": _indicator_figures(request.user),
        },
    )


def _indicator_figures(user) -> dict | None:
    """Key figures, the comparison across subdivisions and the monthly trend of the user's
    home region this year (for those who may see indicators)."""
    region = indicator_selectors.home_region(user)
    if region is None or not has_perm(user, "indicators.view_indicators", region):
        return None
    return indicator_dashboard.dashboard_figures(scope=indicator_selectors.Scope(region=region))


def _breakdown_chart(user, roots) -> dict | None:
    """Villages and organisations per subdivision of the user's one top region, for a chart."""
    if len(roots) != 1 or roots[0].level >= Level.TOWNSHIP:
        return None
    children = region_selectors.region_children(user=user, region=roots[0])
    if not children:
        return None
    return {
        "names": [c.name for c in children],
        "codes": [c.code for c in children],
        "villages": [getattr(c, "n_villages", 0) for c in children],
        "organisations": [getattr(c, "n_organisations", 0) for c in children],
        "labels": {"villages": _("Villages and communities"), "organisations": _("Organisations")},
        "url": reverse("regions:region_detail", args=["000000000000"]),
    }


def page_not_found(request, exception=None):
    return render(request, "web/error.html", {"status": 404}, status=404)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "web/error.html", {"status": 403, "message": message}, status=403)


def server_error(request):
    return render(request, "web/error.html", {"status": 500}, status=500)
