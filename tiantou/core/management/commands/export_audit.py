"""Write the audit log of a date range to an Excel file for an auditor."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiantou.core import exporting, selectors
from tiantou.core.models import AuditEntry


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Write the audit entries of the days --since to --until (both included) to --out."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_day, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=_day, help="last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")

    def handle(self, *args, since, until, out, **options):
        entries = selectors.audit_entries_between(
            AuditEntry.objects.all(), since=since, until=until
        )
        count = entries.count()
        with exporting.audit_xlsx_file(entries) as source, out.open("wb") as target:
            while chunk := source.read(1024 * 1024):
                target.write(chunk)
        self.stdout.write(f"Wrote {count} audit entries to {out}.")
