"""Cell parsers: a raw cell value → a Python value, or a ValidationError."""

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from tiantou.core import regioncodes
from tiantou.core.validators import normalise_uscc, refuse_nul


def as_text(value: Any) -> str:
    """A cell as text; whole numbers typed into General cells lose their “.0”. Text with a
    NUL character is refused (the one rule of every text input)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    result = str(value).strip()
    refuse_nul(result)
    return result


def text(max_length: int | None = None) -> Callable[[Any], str]:
    """Free text, at most `max_length` characters."""

    def parse(value: Any) -> str:
        result = as_text(value)
        if max_length and len(result) > max_length:
            raise ValidationError(
                _("At most %(max)d characters (this has %(n)d)."),
                params={"max": max_length, "n": len(result)},
            )
        return result

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    """A whole number, optionally bounded."""

    def parse(value: Any) -> int:
        try:
            number = decimal.Decimal(as_text(value).replace(",", ""))
            if number != number.to_integral_value():
                raise ValueError
            result = int(number)
        except (ValueError, decimal.InvalidOperation):
            raise ValidationError(
                _("“%(value)s” is not a whole number."), params={"value": as_text(value)}
            ) from None
        if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
            raise ValidationError(
                _("%(value)d is outside the allowed range %(min)s to %(max)s."),
                params={"value": result, "min": minimum, "max": maximum},
            )
        return result

    return parse


def decimal_number(places: int = 2) -> Callable[[Any], decimal.Decimal]:
    """A decimal number rounded to `places` digits."""

    def parse(value: Any) -> decimal.Decimal:
        try:
            number = decimal.Decimal(as_text(value).replace(",", ""))
            if not number.is_finite():
                raise ValueError
        except (ValueError, decimal.InvalidOperation):
            raise ValidationError(
                _("“%(value)s” is not a number."), params={"value": as_text(value)}
            ) from None
        try:
            return number.quantize(decimal.Decimal(1).scaleb(-places))
        except decimal.InvalidOperation:  # too many digits for the decimal context
            raise ValidationError(_("This number is too large."), code="too_large") from None

    return parse


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def date() -> Callable[[Any], dt.date]:
    """A date cell, or text such as 2026-03-01, 2026/3/1 or 2026年3月1日."""

    def parse(value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = as_text(value)
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a date only)
            except ValueError:
                continue
        raise ValidationError(
            _("“%(value)s” is not a date: write it as 2026-03-01."), params={"value": raw}
        )

    return parse


TRUE_WORDS = {"是", "有", "√", "✓", "y", "yes", "true", "1"}
FALSE_WORDS = {"否", "无", "×", "n", "no", "false", "0"}


def boolean() -> Callable[[Any], bool]:
    """是 / 否 (also yes / no, 1 / 0)."""

    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raw = as_text(value).lower()
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        raise ValidationError(_("Write 是 or 否, not “%(value)s”."), params={"value": raw})

    return parse


def labels_in_languages(label: Any) -> set[str]:
    """A label as shown in the current language and in Chinese (files travel between users)."""
    labels = {str(label).strip()}
    with translation.override("zh-hans"):
        labels.add(str(label).strip())
    return labels


def choice(choices: Any, *, aliases: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """One of a Choices class (or (value, label) pairs), written as its label or value.

    Labels are accepted in the current language and in Chinese.
    """
    pairs = [(v, label) for v, label in getattr(choices, "choices", choices) if str(v)]
    cache: dict[str, dict[str, Any]] = {}

    def lookup() -> dict[str, Any]:
        language = translation.get_language() or ""
        if language not in cache:
            table = {str(v): v for v, _label in pairs}
            for value, label in pairs:
                for text_label in labels_in_languages(label):
                    table[text_label] = value
            table.update(aliases or {})
            cache[language] = table
        return cache[language]

    def parse(value: Any) -> Any:
        raw = as_text(value)
        table = lookup()
        if raw in table:
            return table[raw]
        raise ValidationError(
            _("“%(value)s” is not one of: %(allowed)s."),
            params={"value": raw, "allowed": "、".join(str(label) for _v, label in pairs)},
        )

    return parse


def region_code() -> Callable[[Any], str]:
    """A division code: 12 digits, or a shorter prefix filled with zeros."""
    return regioncodes.normalise


def credit_code() -> Callable[[Any], str]:
    """A unified social credit code (GB 32100-2015), check character verified."""
    return lambda value: normalise_uscc(as_text(value))
