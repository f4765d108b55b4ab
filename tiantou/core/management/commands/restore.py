"""Restore a backup archive written by `backup`, and check it against its manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiantou.core import backups


class Command(BaseCommand):
    help = (
        "Restore the database and the media files from a backup archive, then compare "
        "every table's row count and checksum with the manifest. Replaces the current "
        "data: stop the site first, and pass --yes. With --into, restore only the database, "
        "into another (empty) PostgreSQL database or SQLite file, to try a backup out."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="really replace the data")
        parser.add_argument("--into", default=None, help="another database to restore into")

    def handle(self, *args, archive, yes, into, **options):
        if not yes:
            raise CommandError(
                "restore replaces the database and the media files: run it again with --yes."
            )
        if not archive.is_file():
            raise CommandError(f"No such archive: {archive}")
        try:
            manifest = backups.backup_restore(archive=archive, into=into)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {archive.name} (made {manifest['created_at']}): "
            f"{len(manifest['tables'])} tables and {len(manifest['media'])} media files "
            "match the manifest."
        )
