"""What every renderer shares: a heading's text with its generated number, a gap's marked
text, and table cells read back as numbers."""

import re
from decimal import Decimal, InvalidOperation

from ..document import Block

GAP_MARK = "待补"
_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def heading_text(block: Block, label: str) -> str:
    """一、强化科技服务… : the generated number and the heading."""
    return f"{label}{block.text}"


def gap_text(block: Block) -> str:
    """【待补：…】: a gap's text in brackets, marked as 待补 unless it says so itself."""
    text = block.text.strip()
    if GAP_MARK not in text:
        text = f"{GAP_MARK}：{text}"
    return f"【{text}】"


def cell_number(text: str) -> tuple[int | Decimal | None, bool]:
    """A table cell's number ("11,100" → 11100, "6.19" → Decimal("6.19"), "23.2%" →
    Decimal("0.232") with True for a percentage); (None, False) for anything else."""
    value = text.strip()
    percent = value.endswith("%")
    if percent:
        value = value[:-1].strip()
    if not _NUMBER_RE.match(value):
        return None, False
    plain = value.replace(",", "")
    try:
        number: int | Decimal = int(plain) if "." not in plain else Decimal(plain)
    except (ValueError, InvalidOperation):
        return None, False
    if percent:
        return Decimal(plain) / 100, True
    return number, False


def figure_number(value: str | None) -> int | Decimal | None:
    """A figure's stored exact value ("619000000", "23.2037…") as a number."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else number
