"""Re-encrypt stored ID numbers with the newest field key (the first in TIANTOU_FIELD_KEY)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tiantou.people.services import person_field_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt and re-digest every stored ID number with the first key of "
        "TIANTOU_FIELD_KEY; afterwards the older keys may be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change, change nothing"
        )

    def handle(self, *args, dry_run: bool, **options):
        result = person_field_keys_rotate(dry_run=dry_run)
        counts = {"rotated": result.rotated, "current": result.current}
        if dry_run:
            line = _("To re-encrypt: %(rotated)d; already current: %(current)d") % counts
        else:
            line = _("Re-encrypted: %(rotated)d; already current: %(current)d") % counts
        self.stdout.write(line)
        if result.undecryptable:
            raise CommandError(
                _(
                    "%(n)d ID numbers cannot be decrypted with any configured key (person ids "
                    "%(ids)s): add the key they were encrypted with to TIANTOU_FIELD_KEY."
                )
                % {
                    "n": len(result.undecryptable),
                    "ids": ", ".join(str(pk) for pk in result.undecryptable[:20]),
                }
            )
