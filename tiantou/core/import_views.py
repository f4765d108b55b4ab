"""The page every Excel import uses: template → upload → dry-run preview → confirm → result.

Between the preview and the confirmation the uploaded file waits in the default
storage under a random name; only the session that uploaded it knows the name, and
the confirmation reads and checks it again before writing.
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

from .importing import Importer

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


def _stash(request: HttpRequest, kind: str, file: Any) -> str:
    """Keep an uploaded file until it is confirmed; returns the token naming it."""
    _discard(request, kind)
    file.seek(0)
    name = default_storage.save(f"imports/{uuid.uuid4().hex}.xlsx", file)
    token = uuid.uuid4().hex
    stashes = request.session.get(SESSION_KEY, {})
    stashes[kind] = {"token": token, "name": name, "filename": file.name[:100]}
    request.session[SESSION_KEY] = stashes
    return token


def _drop(request: HttpRequest, kind: str) -> dict | None:
    """Forget the file waiting for confirmation, returning its record."""
    stashes = request.session.get(SESSION_KEY, {})
    entry = stashes.pop(kind, None)
    request.session[SESSION_KEY] = stashes
    return entry


def _discard(request: HttpRequest, kind: str) -> None:
    """Forget and delete a file that was never confirmed (a new upload replaces it)."""
    entry = _drop(request, kind)
    if entry is not None:
        default_storage.delete(entry["name"])


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
    form = ImportUploadForm()
    if request.method == "POST" and "confirm" in request.POST:
        entry = _drop(request, kind)
        if entry is None or entry["token"] != request.POST.get("token"):
            if entry is not None:
                default_storage.delete(entry["name"])
            messages.error(request, _("This upload has expired. Please upload the file again."))
            return redirect(request.path)
        filename = entry["filename"]
        try:
            with default_storage.open(entry["name"], "rb") as file:
                result = make_importer(filename=filename).run(file, dry_run=False)
        finally:
            default_storage.delete(entry["name"])
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
                token = _stash(request, kind, file)
            else:
                _discard(request, kind)
    return render(
        request,
        "core/import_page.html",
        {
            **context,
            "form": form,
            "result": result,
            "token": token,
            "filename": filename,
            "columns": make_importer().columns,
        },
    )
