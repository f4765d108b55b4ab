"""Delete the audit entries older than TIANTOU_AUDIT_RETENTION_DAYS."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tiantou.core import audit, services


class Command(BaseCommand):
    help = (
        "Delete the audit entries older than TIANTOU_AUDIT_RETENTION_DAYS (at least 183 "
        "days); the only way audit entries are ever deleted. Run it daily or monthly."
    )

    def handle(self, *args, **options):
        try:
            deleted = services.audit_prune()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Deleted {deleted} audit entries older than {audit.retention_days()} days."
        )
