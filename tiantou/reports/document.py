"""A report's content: a title and blocks (headings, paragraphs, 一是…二是 lists, tables and
marked data gaps), with every figure they quote and the link to its records.

Stored as JSON on the draft and on each issued version. Section numbers are not stored:
`numbered()` generates 一、(一) 1. from the heading levels, so a removed section never
leaves a gap; `enumerate_items()` writes 一是…；二是…。
"""

from dataclasses import asdict, dataclass, field
from typing import Any

HEADING = "heading"
PARAGRAPH = "paragraph"
ITEMS = "items"
TABLE = "table"
CHART = "chart"
GAP = "gap"

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (section numbers)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    """The number of the n-th heading of a level: 一、 / （一） / 1."""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    return f"{n}."


@dataclass
class Figure:
    """A number quoted in the text: how it is written, its exact value, its records."""

    text: str
    indicator: str
    value: str | None
    unit: str
    label: str
    url: str


@dataclass
class Block:
    """One block of a report. `items` for 一是…二是 lists; `table` for tables and charts
    (a chart's `table` holds its labels, series and unit)."""

    id: str
    kind: str
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    table: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    edited: bool = False

    @property
    def full_text(self) -> str:
        """The block as running text (lists joined with 一是…；二是…)."""
        if self.kind == ITEMS:
            return enumerate_items(self.items, lead=self.text)
        return self.text


@dataclass
class Document:
    """A report's title and blocks."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Document":
        blocks = [
            Block(**{**b, "figures": [Figure(**f) for f in b.get("figures", [])]})
            for b in data.get("blocks", [])
        ]
        return cls(title=data.get("title", ""), blocks=blocks, subtitle=data.get("subtitle", ""))

    def block(self, block_id: str) -> Block:
        for block in self.blocks:
            if block.id == block_id:
                return block
        raise KeyError(block_id)

    @property
    def figures(self) -> list[Figure]:
        return [f for block in self.blocks for f in block.figures]


def numbered(blocks: list[Block]) -> list[tuple[Block, str]]:
    """Each block with its generated number (headings only; "" for other blocks)."""
    counters = [0, 0, 0, 0]
    result = []
    for block in blocks:
        if block.kind != HEADING:
            result.append((block, ""))
            continue
        level = min(max(block.level, 1), 3)
        counters[level] += 1
        for deeper in range(level + 1, 4):
            counters[deeper] = 0
        result.append((block, heading_label(level, counters[level])))
    return result


def enumerate_items(items: list[str], *, lead: str = "") -> str:
    """一是…；二是…；三是…。 with the numbers generated, never skipped."""
    parts = [
        f"{chinese_number(n)}是{item.rstrip('。；;，, ')}"
        for n, item in enumerate((i for i in items if i.strip()), 1)
    ]
    if not parts:
        return lead
    return f"{lead}{'；'.join(parts)}。"


def segments(text: str, figures: list[Figure]) -> list[tuple[str, Figure | None]]:
    """The text cut into plain runs and figures, each figure found in order after the last
    (so a number the writer edited away is simply no longer linked)."""
    result: list[tuple[str, Figure | None]] = []
    position = 0
    for figure in figures:
        found = text.find(figure.text, position) if figure.text else -1
        if found < 0:
            continue
        if found > position:
            result.append((text[position:found], None))
        result.append((figure.text, figure))
        position = found + len(figure.text)
    if position < len(text):
        result.append((text[position:], None))
    return result
