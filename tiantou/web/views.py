"""The dashboard and the error pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tiantou.regions import selectors as region_selectors
from tiantou.regions.choices import OrganisationKind


@login_required
def dashboard(request):
    summary = region_selectors.scope_summary(user=request.user)
    kinds = [
        (label, summary["organisations_by_kind"].get(value, 0))
        for value, label in OrganisationKind.choices
    ]
    return render(
        request,
        "web/dashboard.html",
        {
            "summary": summary,
            "organisation_kinds": kinds,
            "roots": region_selectors.top_regions(user=request.user),
        },
    )


def page_not_found(request, exception=None):
    return render(request, "web/error.html", {"status": 404}, status=404)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "web/error.html", {"status": 403, "message": message}, status=403)


def server_error(request):
    return render(request, "web/error.html", {"status": 500}, status=500)
