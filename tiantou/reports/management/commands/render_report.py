"""Render a report of a kind for a region and period from the data, to a file or the
terminal, without saving a report (no draft, no version, no user)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tiantou.core import regioncodes
from tiantou.core.periods import Period
from tiantou.indicators.engine import Scope
from tiantou.regions.models import Region
from tiantou.reports import kinds
from tiantou.reports.render import FORMATS, render


class Command(BaseCommand):
    help = (
        "Render a report from the current data: "
        "render_report --kind county_work --region 371321000000 --period 2026 --format docx "
        "--out summary.docx. A command-line render of the data only: nothing is saved, no "
        "draft or issued version is made and no user is involved (the web pages do that)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, help="report kind, e.g. county_work")
        parser.add_argument("--region", required=True, help="division code, e.g. 371321000000")
        parser.add_argument("--period", required=True, help="2026, 2026-H1, 2026-Q3, 2026-05 …")
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="md")
        parser.add_argument("--out", help="file to write (md goes to the terminal without it)")
        parser.add_argument(
            "--base-url", default="", help="site address for absolute links in Excel"
        )

    def handle(self, *args, kind, region, period, fmt, out, base_url, **options):
        report_kind = self._kind(kind)
        scope_region = self._region(region)
        try:
            report_period = Period.parse(period)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if regioncodes.level_of(scope_region.code) not in report_kind.levels:
            raise CommandError(
                _("A “%(kind)s” (%(key)s) is not written for %(region)s at this level.")
                % {"kind": report_kind.name, "key": kind, "region": scope_region.code}
            )
        if report_period.kind not in report_kind.periods:
            raise CommandError(
                _("A “%(kind)s” (%(key)s) is not written for the period %(period)s.")
                % {"kind": report_kind.name, "key": kind, "period": report_period.key}
            )
        if FORMATS[fmt].binary and not out:
            raise CommandError(
                _("The %(format)s format is a binary file: name it with --out FILE.")
                % {"format": fmt}
            )
        document = report_kind.make(scope=Scope(region=scope_region), period=report_period)
        data = render(document, fmt, base_url=base_url)
        if out:
            Path(out).write_bytes(data)
            self.stdout.write(
                _("Written: %(file)s (%(size)d bytes)") % {"file": out, "size": len(data)}
            )
        else:
            self.stdout.write(data.decode(), ending="")

    def _kind(self, key: str) -> kinds.ReportKind:
        try:
            return kinds.get(key)
        except KeyError:
            available = "、".join(f"{k.key}（{k.name}）" for k in kinds.all_kinds())
            raise CommandError(
                _("There is no report kind “%(key)s”. The kinds are: %(kinds)s.")
                % {"key": key, "kinds": available}
            ) from None

    def _region(self, raw: str) -> Region:
        try:
            code = regioncodes.normalise(raw)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(
                _("There is no region with the code %(code)s (load it with load_regions).")
                % {"code": code}
            )
        return region
