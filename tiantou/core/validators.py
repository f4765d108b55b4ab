"""Validators for official identifiers (unified social credit code, …)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
