"""JSON answers with Chinese messages for every error the API can meet; never an HTML page."""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


def _pydantic_message(error: dict) -> str:
    """A Chinese message for one pydantic error, by its type."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"string_type", "str_type"}:
        return _("Enter text.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind == "string_too_long":
        return _("Enter at most %(max)s characters.") % {"max": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("Enter at least %(min)s characters.") % {"min": ctx.get("min_length", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a number of at least %(min)s.") % {"min": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The request body is not valid JSON of the expected shape.")
    return _("This value is not valid.")


def _field_name(loc) -> str:
    # Drop the location prefix ("body", "query", "path") and the schema name ninja adds.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    """Register the error handlers on the API root."""

    def reply(request, status: int, detail: str, errors: dict | None = None):
        body: dict = {"detail": detail}
        if errors is not None:
            body["errors"] = errors
        return api.create_response(request, body, status=status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return reply(request, 404, _("Not found, or outside your area of work."))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return reply(request, 404, _("Not found, or outside your area of work."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return reply(request, 403, str(exc) or _("You do not have the right to do this."))

    @api.exception_handler(AuthorizationError)
    def not_authorised(request, exc):
        return reply(request, 403, _("You do not have the right to do this."))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return reply(
            request,
            401,
            _(
                "Log in first, or send a valid personal token as "
                "“Authorization: Bearer <token>”. Revoked tokens no longer work."
            ),
        )

    @api.exception_handler(DjangoValidationError)
    def invalid(request, exc):
        codes = {e.code for e in exc.error_list} if hasattr(exc, "error_list") else set()
        if hasattr(exc, "error_dict"):
            codes = {e.code for errs in exc.error_dict.values() for e in errs}
            errors = exc.message_dict
        else:
            errors = {"__all__": exc.messages}
        if "stale_version" in codes:
            messages = [m for ms in errors.values() for m in ms]
            return reply(request, 409, " ".join(messages), errors)
        return reply(request, 422, _("Some values are not valid; see errors."), errors)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field_name(error.get("loc", ())), []).append(
                _pydantic_message(error)
            )
        return reply(request, 422, _("Some values are not valid; see errors."), errors)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        # Ninja raises these with English text (the session's CSRF check, throttling).
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            detail = _(
                "The security token (CSRF) is missing or out of date. "
                "Reload the page and try again."
            )
        elif exc.status_code == 429:
            detail = _("Too many requests. Wait a moment and try again.")
        elif exc.status_code == 400:
            detail = _("The request body is not valid JSON of the expected shape.")
        elif exc.status_code == 403:
            detail = _("You do not have the right to do this.")
        else:
            detail = _("The request could not be handled.")
        return reply(request, exc.status_code, detail)

    @api.exception_handler(OverflowError)
    def overflow(request, exc):
        # The schemas bound every number to the database's range; this is the safety net
        # for one that slips through (SQLite cannot bind an integer beyond 64 bits).
        return reply(request, 422, _("Some values are not valid; see errors."))

    @api.exception_handler(DataError)
    def out_of_range(request, exc):
        # The same net on PostgreSQL: a value the column cannot hold.
        logger.warning("API value out of the database's range", exc_info=exc)
        return reply(request, 422, _("Some values are not valid; see errors."))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("API error", exc_info=exc)
        return reply(
            request,
            500,
            _("Something went wrong on the server. The error has been logged; try again later."),
        )
