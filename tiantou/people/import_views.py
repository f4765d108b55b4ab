"""The roster import page: the shared import page with the roster importer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import ensure_can
from tiantou.core.import_views import import_page

from .importers import RosterImporter, RosterImportResult


@login_required
def roster_import(request):
    """Import the existing roster from Excel: template, upload, dry run, confirm."""
    ensure_can(request.user, "people.import_person")

    def announce(result) -> None:
        # The shared page counts rows; people and postings are counted apart here.
        if isinstance(result, RosterImportResult) and result.ok:
            messages.info(request, result.roster_summary())

    return import_page(
        request,
        kind="roster",
        make_importer=lambda **context: RosterImporter(
            actor=request.user, on_result=announce, **context
        ),
        context={
            "title": _("Import the roster"),
            "back_url": reverse("people:roster"),
            "back_label": _("Roster"),
        },
    )
