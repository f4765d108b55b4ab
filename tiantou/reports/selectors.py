"""Every read of reports, starting from what the user may see (the report's region inside
the user's scope)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tiantou.accounts.models import User
from tiantou.accounts.scoping import scope_for
from tiantou.regions.models import Region

from .models import Report, ReportSetting, ReportVersion


def report_list(*, user: User) -> QuerySet[Report]:
    """Reports of regions in the user's scope, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return (
        Report.objects.filter(scope_for(user).region_q("region__code"))
        .select_related("region", "created_by")
        .order_by("-updated_at")
    )


def report_get(*, user: User, pk: int) -> Report:
    """One report the user can see, or 404."""
    return get_object_or_404(report_list(user=user), pk=pk)


def version_list(report: Report) -> QuerySet[ReportVersion]:
    """A report's issued versions, newest first."""
    return report.versions.select_related("issued_by").order_by("-number")


def version_get(*, user: User, pk: int, number: int) -> ReportVersion:
    """One issued version of a report the user can see, or 404."""
    report = report_get(user=user, pk=pk)
    return get_object_or_404(version_list(report), number=number)


def setting_get(*, region: Region, year: int) -> ReportSetting | None:
    return ReportSetting.objects.filter(region=region, year=year).first()
