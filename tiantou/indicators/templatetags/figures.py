"""Exact figures in tables: thousands separators, amounts to the fen, shares to 0.1 %."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def exact(number, *, share: bool = False) -> str:
    """A number as a table shows it; missing values as a dash."""
    if number is None:
        return "—"
    if share:
        return f"{Decimal(number).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if isinstance(number, Decimal) and number != number.to_integral_value():
        return f"{number.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    return f"{int(number):,}"


def chart_number(number) -> int | float | None:
    """A number for a chart's JSON: integers stay integers, amounts to the fen."""
    if number is None:
        return None
    if number == int(number):
        return int(number)
    return float(Decimal(number).quantize(Decimal("0.01"), ROUND_HALF_UP))


@register.filter
def figure(value) -> str:
    """A Value's number (with % for shares)."""
    return exact(value.number, share=value.is_share)


@register.filter
def previous_figure(value) -> str:
    return exact(value.previous, share=value.is_share)


@register.filter
def growth(value) -> str:
    """同比: growth in % for counts and amounts, change in points for shares; a dash from a
    zero or missing base."""
    if value.is_share:
        change = value.change
        if change is None:
            return "—"
        points = Decimal(change).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{points:+}个百分点"
    rate = value.growth
    if rate is None:
        return "—"
    return f"{rate.quantize(Decimal('0.1'), ROUND_HALF_UP):+}%"
