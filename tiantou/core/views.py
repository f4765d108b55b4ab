"""Small helpers every app's views share, and the audit log page for auditors."""

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from .forms import add_service_errors

if TYPE_CHECKING:
    # Only for the annotation: core sits below accounts and never imports it at run time.
    from tiantou.accounts.models import User

Saved = TypeVar("Saved")


class AuthedRequest(HttpRequest):
    """A request behind login_required, as the middleware leaves it (for type checking)."""

    user: "User"
    htmx: HtmxDetails


def form_view(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    save: Callable[[], Saved],
    template: str,
    success_url: Callable[[Saved], str],
    success_message: str | Callable[[Saved], str] = "",
    context: Mapping[str, Any] | None = None,
    formsets: Sequence[forms.BaseFormSet] = (),
    on_error: Callable[[ValidationError], None] | None = None,
) -> HttpResponse:
    """The create/edit page every app has, around a form the view has bound.

    The view fetches the object through a selector (404 outside scope), checks the right
    (403) and binds the form (with `version` for an edit). Here, on a POST whose form and
    formsets are valid, `save()` calls the service; a refusal (`ValidationError`, a version
    conflict among them) is shown on the form, which keeps what was typed, through
    `on_error` or else on the fields it names. A success leaves `success_message` for the
    next page and redirects to `success_url(saved)`. Otherwise the page is rendered with
    `form` and `context`.
    """
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        try:
            saved = save()
        except ValidationError as error:
            if on_error is None:
                add_service_errors(form, error)
            else:
                on_error(error)
        else:
            message = success_message(saved) if callable(success_message) else success_message
            if message:
                messages.success(request, message)
            return redirect(success_url(saved))
    return render(request, template, {"form": form, **(context or {})})


def errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal shown as messages on the next page (for POST-only actions)."""
    for message in error.messages:
        messages.error(request, message)


def posted_version(request: HttpRequest) -> int | None:
    """The record version a form was built on (`version` in the POST), if any."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def file_response(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A download: the file's bytes with a (Chinese-safe) file name."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def year_asked(request: HttpRequest) -> int:
    """The year asked for in `?year=`, this year when it is missing or unreadable."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return this_year
    return year if 2000 <= year <= 2100 else this_year


AUDIT_ROWS_PER_PAGE = 50


@login_required
def audit_log(request) -> HttpResponse:
    """The audit log within the user's area of audit, filtered; `?export=xlsx` downloads it."""
    from tiantou.accounts.permissions import has_perm

    from . import exporting, selectors
    from .filters import AuditEntryFilterSet

    if not has_perm(request.user, selectors.AUDIT_PERMISSION):
        raise PermissionDenied(_("You do not have the right to do this."))
    filterset = AuditEntryFilterSet(
        request.GET or None, queryset=selectors.audit_entries_visible_to(request.user)
    )
    entries = filterset.qs
    if request.GET.get("export") == "xlsx":
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return exporting.audit_xlsx_response(entries, filename=_("audit log") + f"-{stamp}.xlsx")
    page = Paginator(entries, AUDIT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    template = "core/audit_log.html"
    if getattr(request, "htmx", False):
        template += "#table"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "entries": page.object_list,
            "query": query.urlencode(),
        },
    )
