"""The page every Excel import uses: template → upload → dry-run preview → confirm → result.

Between the preview and the confirmation the uploaded file waits in the default
storage under a random name; only the session that uploaded it knows the name, and
the confirmation reads and checks it again before writing. Each upload is recorded
(`ImportRecord`) with fingerprints of the file and of its rows: a file already saved
once is shown with who saved it and when, and is saved again only when the user ticks
that they mean it. Files never confirmed are deleted by `clean_uploads`.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .importing import Importer, ImportResult, file_sha256
from .models import ImportRecord, ImportStatus

SESSION_KEY = "tiantou_imports"


class ImportUploadForm(forms.Form):
    """One .xlsx file to check before anything is saved."""

    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        if file.size > settings.TIANTOU_IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large: at most %(mb)d MB."),
                params={"mb": settings.TIANTOU_IMPORT_MAX_BYTES // (1024 * 1024)},
            )
        return file


def _stash(
    request: HttpRequest, kind: str, file: Any, result: ImportResult
) -> tuple[str, ImportRecord | None]:
    """Keep an uploaded file until it is confirmed; returns the token naming it and the
    earlier saved import of the same file or rows, if any."""
    _discard(request, kind)
    file_hash, rows_hash = file_sha256(file), result.rows_sha256
    name = default_storage.save(f"{services.UPLOADS_DIR}/{uuid.uuid4().hex}.xlsx", file)
    record = services.import_record_create(
        actor=request.user,
        kind=kind,
        filename=file.name,
        stored_name=name,
        file_sha256=file_hash,
        rows_sha256=rows_hash,
        row_count=result.row_count,
    )
    earlier = selectors.import_earlier(kind=kind, file_sha256=file_hash, rows_sha256=rows_hash)
    token = uuid.uuid4().hex
    stashes = request.session.get(SESSION_KEY, {})
    stashes[kind] = {
        "token": token,
        "name": name,
        "filename": file.name[:100],
        "record": record.pk,
        "earlier": earlier.pk if earlier else None,
    }
    request.session[SESSION_KEY] = stashes
    return token, earlier


def _drop(request: HttpRequest, kind: str) -> dict | None:
    """Forget the file waiting for confirmation, returning its record."""
    stashes = request.session.get(SESSION_KEY, {})
    entry = stashes.pop(kind, None)
    request.session[SESSION_KEY] = stashes
    return entry


def _record_of(entry: dict) -> ImportRecord | None:
    return ImportRecord.objects.filter(pk=entry.get("record") or 0).first()


def _discard(request: HttpRequest, kind: str) -> None:
    """Forget and delete a file that was never confirmed (a new upload replaces it)."""
    entry = _drop(request, kind)
    if entry is not None:
        default_storage.delete(entry["name"])
        record = _record_of(entry)
        if record is not None:
            services.import_record_finish(record=record, status=ImportStatus.DISCARDED)


def _earlier_of(entry: dict) -> ImportRecord | None:
    if not entry.get("earlier"):
        return None
    return ImportRecord.objects.select_related("actor").filter(pk=entry["earlier"]).first()


def import_page(
    request: HttpRequest,
    *,
    kind: str,
    make_importer: Callable[..., Importer],
    context: dict[str, Any],
) -> HttpResponse:
    """Serve the import page of one importer; `kind` keeps different imports apart."""
    if request.GET.get("template"):
        return make_importer().template_response()
    result, token, filename = None, "", ""
    earlier: ImportRecord | None = None
    form = ImportUploadForm()
    if request.method == "POST" and "confirm" in request.POST:
        entry = request.session.get(SESSION_KEY, {}).get(kind)
        if entry is None or entry["token"] != request.POST.get("token"):
            _discard(request, kind)
            messages.error(request, _("This upload has expired. Please upload the file again."))
            return redirect(request.path)
        filename = entry["filename"]
        earlier = _earlier_of(entry)
        if earlier is not None and not request.POST.get("confirm_again"):
            # Saved once already: the preview is shown again until the user says so.
            messages.error(request, _("Tick the box to confirm that this file is imported again."))
            with default_storage.open(entry["name"], "rb") as file:
                result = make_importer(filename=filename).run(file, dry_run=True)
            token = entry["token"]
            return _render(request, context, form, result, token, filename, earlier, make_importer)
        _drop(request, kind)
        record = _record_of(entry)
        if record is not None:
            services.import_record_start(record=record)
        try:
            with default_storage.open(entry["name"], "rb") as file:
                result = make_importer(filename=filename).run(file, dry_run=False)
        finally:
            default_storage.delete(entry["name"])
            if record is not None:
                written = result is not None and result.written
                status = ImportStatus.DONE if written else ImportStatus.FAILED
                services.import_record_finish(record=record, status=status)
        if result.written:
            messages.success(
                request,
                _(
                    "Imported %(file)s: %(created)d new, %(updated)d changed, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "file": filename,
                    "created": result.to_create,
                    "updated": result.to_update,
                    "unchanged": result.unchanged,
                },
            )
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = form.cleaned_data["file"]
            filename = file.name
            result = make_importer(filename=filename).run(file, dry_run=True)
            if result.ok and (result.to_create or result.to_update):
                token, earlier = _stash(request, kind, file, result)
            else:
                _discard(request, kind)
    return _render(request, context, form, result, token, filename, earlier, make_importer)


def _render(
    request: HttpRequest,
    context: dict[str, Any],
    form: ImportUploadForm,
    result: ImportResult | None,
    token: str,
    filename: str,
    earlier: ImportRecord | None,
    make_importer: Callable[..., Importer],
) -> HttpResponse:
    return render(
        request,
        "core/import_page.html",
        {
            **context,
            "form": form,
            "result": result,
            "token": token,
            "filename": filename,
            "earlier": earlier,
            "columns": make_importer().columns,
        },
    )
