"""Small helpers every app's views share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header


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
