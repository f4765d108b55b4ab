"""Write a backup archive: the database, the media files and a manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tiantou.core import backups


class Command(BaseCommand):
    help = (
        "Write tiantou-YYYYmmdd-HHMMSS.tar.gz into --dir (TIANTOU_BACKUP_DIR): the database "
        "(PostgreSQL: pg_dump; SQLite: online backup), the media files and a manifest of "
        "every table's row count and checksum. Then delete the archives beyond --keep "
        "(TIANTOU_BACKUP_KEEP: a count, 14, or days, 30d)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None)
        parser.add_argument("--keep", default=None)

    def handle(self, *args, dir, keep, **options):  # noqa: A002 (the option's name)
        directory = dir or Path(settings.TIANTOU_BACKUP_DIR)
        keep = keep or settings.TIANTOU_BACKUP_KEEP
        try:
            backups.parse_keep(keep)
            archive = backups.backup_create(directory=directory)
            pruned = backups.backups_prune(directory=directory, keep=keep)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote {archive}.")
        for path in pruned:
            self.stdout.write(f"Deleted the old backup {path.name}.")
