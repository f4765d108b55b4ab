"""Load the official division codes (provinces to townships) and, on request, villages."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tiantou.regions import services
from tiantou.regions.official import OfficialDataMissing


class Command(BaseCommand):
    help = (
        "Load the shipped division codes (2023 edition, flagged against the 2026 township "
        "list); with --villages, also the 2023 villages of the given regions. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages",
            nargs="+",
            default=[],
            metavar="CODE",
            help="region codes (usually counties) whose villages to load",
        )

    def handle(self, *args, villages, **options):
        started = time.monotonic()
        result = services.regions_load_official()
        self._report(_("Division codes (provinces to townships)"), result)
        if villages:
            try:
                result = services.villages_load_official(county_codes=villages)
            except (OfficialDataMissing, ValidationError) as error:
                raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
            self._report(_("Villages and communities"), result)
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": time.monotonic() - started})

    def _report(self, label: str, result: services.LoadResult) -> None:
        self.stdout.write(_("%(label)s: %(summary)s.") % {"label": label, "summary": result})
        if not result.changed:
            self.stdout.write(_("Nothing to change: already up to date."))
