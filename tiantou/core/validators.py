"""Validators for official identifiers (unified social credit code, …)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# GB 32100-2015: 18 characters from this alphabet; the last is a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character (GB 32100-2015) for the first 17 characters of a credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    """Upper-case a credit code and drop spaces; raise ValidationError unless it is valid."""
    code = (value or "").strip().replace(" ", "").upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(value)s” has %(n)d."),
            code="uscc_length",
            params={"value": code, "n": len(code)},
        )
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _(
                "A unified social credit code cannot contain “%(chars)s” "
                "(I, O, S, V, Z are never used)."
            ),
            code="uscc_chars",
            params={"chars": "".join(bad)},
        )
    if not code[:17].isalnum() or not code[2:8].isdigit():
        raise ValidationError(
            _(
                "Characters 3 to 8 of a unified social credit code are the region code "
                "and must be digits."
            ),
            code="uscc_region",
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character of “%(value)s” is wrong: it should end in "
                "%(expected)s. Please check the code."
            ),
            code="uscc_check",
            params={"value": code, "expected": expected},
        )
    return code


# GB 11643-1999: 17 digits, then a check character from this table.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The check character (GB 11643-1999) for the first 17 digits of an ID number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    """An 18-character resident ID number, upper-cased; ValidationError unless it is valid."""
    import datetime

    code = (value or "").strip().replace(" ", "").upper()
    if len(code) != 18 or not code[:17].isdigit() or code[17] not in "0123456789X":
        raise ValidationError(
            _("An ID number has 17 digits and a final digit or X (18 characters)."),
            code="id_format",
        )
    try:
        datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise ValidationError(
            _("Characters 7 to 14 of an ID number are the birth date; %(date)s is not a date."),
            code="id_birth_date",
            params={"date": code[6:14]},
        ) from None
    expected = id_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character of ID number %(value)s is wrong: "
                "it should end in %(expected)s."
            ),
            code="id_check",
            params={"value": mask_id_number(code), "expected": expected},
        )
    return code


def mask_id_number(code: str) -> str:
    """The ID number as shown to those not allowed to see it: the last 4 characters only.

    Digits 7 to 14 are the birth date and digits 1 to 6 usually the person's own county,
    so showing either beside the last 4 would give the whole number away.
    """
    return "*" * 14 + code[-4:] if len(code) == 18 else "*" * len(code)


NUL_MESSAGE = gettext_lazy("Text may not contain the NUL character (\\x00).")


def refuse_nul(value: str) -> None:
    """Refuse text with a NUL character: PostgreSQL cannot store it and no user types it.

    The one rule for every text input: the API's guard, the import cell parsers and the
    forms (Django's form fields refuse NUL with their own validator) all stop it.
    """
    if "\x00" in value:
        raise ValidationError(NUL_MESSAGE, code="nul")
