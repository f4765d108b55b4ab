"""Numbers as written in running text, for templates: `{{ value|plain }}` (3000, 2.5)."""

from django import template

from tiantou.core import numbers

register = template.Library()


@register.filter
def plain(value) -> str:
    """`core.numbers.plain`: no separators, no trailing zeros, no exponent; "" for None."""
    return numbers.plain(value)
