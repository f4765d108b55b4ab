"""Record as completed every active posting whose term has ended (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tiantou.people.services import postings_close_ended


class Command(BaseCommand):
    help = "Mark active postings past their term end as completed, with a history event."

    def handle(self, *args, **options):
        closed = postings_close_ended()
        self.stdout.write(_("Postings completed at term end: %(n)d") % {"n": closed})
