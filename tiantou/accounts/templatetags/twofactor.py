"""`{% twofactor_card subject %}`: a user's two-factor status and reset, on the user page."""

from typing import Any

from django import template

from ..models import User
from ..twofactor import selectors
from ..twofactor.forms import ResetForm

register = template.Library()


@register.inclusion_tag("accounts/twofactor/_admin_card.html", takes_context=True)
def twofactor_card(context: dict[str, Any], subject: User) -> dict[str, Any]:
    return {
        "subject": subject,
        "enrolled": selectors.has_confirmed_device(subject),
        "required": selectors.is_required(subject),
        "is_self": subject.pk == context["request"].user.pk,
        "form": ResetForm(),
        "csrf_token": context.get("csrf_token"),
    }
