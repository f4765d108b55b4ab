"""Demo data of reports: the demo county's settings for this year (the guiding-ideology
phrase and the issuing body) and a draft of this year's annual summary, written from the
demo data. Looked up first, so a rerun adds nothing."""

from django.utils import timezone

from tiantou.core.periods import Period

from . import services
from .models import Report, ReportSetting

GUIDING = "习近平新时代中国特色社会主义思想"


def seed(ctx) -> None:
    year = timezone.localdate().year
    if not ReportSetting.objects.filter(region=ctx.county, year=year).exists():
        services.setting_save(
            actor=ctx.actor,
            region=ctx.county,
            year=year,
            guiding_ideology=GUIDING,
            issuer=f"{ctx.county.name}科学技术局",
        )
    period = Period.year(year)
    if not Report.objects.filter(kind="county_work", region=ctx.county, period=period.key):
        report = services.report_generate(
            actor=ctx.actor, kind="county_work", region=ctx.county, period=period
        )
        ctx.log.append(f"报告草稿：{report.title}")
