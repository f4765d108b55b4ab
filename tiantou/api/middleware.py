"""Text with a NUL character is refused before any view sees it.

PostgreSQL cannot store NUL in text, and a query with one fails there; no user types it.
Under the API the refusal is a JSON 422 naming the field; elsewhere a 400 page (the forms
refuse NUL in posted fields themselves).
"""

import contextlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from tiantou.core.validators import NUL_MESSAGE

API_PREFIX = "/api/"


def _nul_fields(value: Any, name: str) -> list[str]:
    """Names of the strings in a parsed JSON document that contain NUL."""
    if isinstance(value, str):
        return [name] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            child = f"{name}.{key}" if name else str(key)
            found += [child] if "\x00" in str(key) else _nul_fields(item, child)
        return found
    if isinstance(value, list):
        return [f for i, item in enumerate(value) for f in _nul_fields(item, f"{name}.{i}")]
    return []


def nul_fields(request: HttpRequest) -> list[str]:
    """The places in a request (path, query parameters, JSON body) whose text has NUL."""
    found = ["path"] if "\x00" in request.path else []
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            found.append(key.replace("\x00", ""))
    if request.method in {"POST", "PUT", "PATCH"} and request.content_type == "application/json":
        body = request.body
        # Cheap test first: NUL is either the raw byte or the JSON escape.
        if b"\x00" in body or b"\\u0000" in body:
            # A body that is not JSON: the API answers that itself.
            with contextlib.suppress(ValueError):
                found += _nul_fields(json.loads(body), "")
    return found


class RefuseNulMiddleware:
    """Refuses NUL in the path, the query string and API JSON bodies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = nul_fields(request)
        if fields:
            message = str(NUL_MESSAGE)
            if not request.path.startswith(API_PREFIX):
                raise BadRequest(message)
            return JsonResponse(
                {
                    "detail": _("Some values are not valid; see errors."),
                    "errors": {field or "__all__": [message] for field in fields},
                },
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return self.get_response(request)
