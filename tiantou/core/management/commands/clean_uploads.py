"""Delete import files that were never confirmed, or whose import was killed."""

from django.core.management.base import BaseCommand

from tiantou.core import services


class Command(BaseCommand):
    help = (
        "Delete uploaded import files older than --hours (default 24) that no waiting "
        "import names, and close the uploads abandoned or killed before then. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours, **options):
        files, records = services.uploads_clean(older_than_hours=max(hours, 1))
        self.stdout.write(f"Deleted {files} files; closed {records} unfinished uploads.")
