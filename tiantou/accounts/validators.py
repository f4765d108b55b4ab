"""Password validators of the 等保 2.0 password policy, beside Django's own."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols `password` uses."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassValidator:
    """A password must mix at least `min_classes` of the four kinds of character."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must use at least %(count)d of these: upper-case letters, "
                    "lower-case letters, digits and symbols."
                ),
                code="password_too_simple",
                params={"count": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least %(count)d of these: upper-case letters, lower-case letters, digits "
            "and symbols."
        ) % {"count": self.min_classes}
