"""Arithmetic on 12-digit statistical division codes (统计用区划代码).

A code is PP CC DD TTT VVV: province, city, county, township, village. The subtree of
a region is the range of codes sharing its prefix, so "everything in this county" is
one indexed range scan.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
PREFIX_LENGTH = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
CODE_RE = re.compile(r"^\d{12}$")


def level_of(code: str) -> int:
    """The level of a well-formed code, read from where its trailing zeros start."""
    if code[9:] != "000":
        return VILLAGE
    if code[6:9] != "000":
        return TOWNSHIP
    if code[4:6] != "00":
        return COUNTY
    if code[2:4] != "00":
        return CITY
    return PROVINCE


def prefix_of(code: str, level: int | None = None) -> str:
    """The significant digits of `code` at `level` (its own level by default)."""
    return code[: PREFIX_LENGTH[level or level_of(code)]]


def subtree_range(code: str, level: int | None = None) -> tuple[str, str]:
    """The first and last code of the subtree rooted at `code`, for a range filter."""
    prefix = prefix_of(code, level)
    rest = 12 - len(prefix)
    return prefix + "0" * rest, prefix + "9" * rest


def contains(ancestor: str, code: str, level: int | None = None) -> bool:
    """Whether `code` lies in the subtree of `ancestor`."""
    return code.startswith(prefix_of(ancestor, level))


def parent_code(code: str, level: int | None = None) -> str | None:
    """The code of the region one level up, or None for a province."""
    level = level or level_of(code)
    if level == PROVINCE:
        return None
    prefix = code[: PREFIX_LENGTH[level - 1]]
    return prefix.ljust(12, "0")


def normalise(raw: object) -> str:
    """A code as typed or read from a sheet (spaces, shorter prefixes) made into 12 digits.

    Raises ValidationError with a Chinese message when it cannot be a division code.
    """
    text = str(raw if raw is not None else "").strip().replace(" ", "")
    if text.endswith(".0"):  # a number cell read from Excel
        text = text[:-2]
    if not text.isdigit() or len(text) not in PREFIX_LENGTH.values():
        raise ValidationError(
            _("“%(value)s” is not a division code: use 12 digits (e.g. 371321101000)."),
            code="invalid_code",
            params={"value": text or str(raw)},
        )
    return text.ljust(12, "0")
