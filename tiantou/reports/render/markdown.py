"""A report as plain text for a terminal or a mail: the title, headings with their generated
numbers after `#` / `##` / `###` by level, paragraphs, lists as running text, tables as
Markdown tables and gaps as 【待补：…】 lines."""

from ..document import CHART, GAP, HEADING, TABLE, Block, Document, numbered
from .common import gap_text, heading_text


def render_md(document: Document) -> str:
    """The document as Markdown-flavoured plain text."""
    lines = [document.title, ""]
    if document.subtitle:
        lines += [document.subtitle, ""]
    for block, label in numbered(document.blocks):
        if block.kind == HEADING:
            level = min(max(block.level, 1), 3)
            lines.append(f"{'#' * level} {heading_text(block, label)}")
        elif block.kind == TABLE:
            lines += _table(block)
        elif block.kind == CHART:
            lines.append(f"（图：{block.text}）")
        elif block.kind == GAP:
            lines.append(gap_text(block))
        else:
            lines.append(block.full_text)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _table(block: Block) -> list[str]:
    columns = block.table.get("columns", [])
    rows = block.table.get("rows", [])
    lines = [f"**{block.text}**", ""] if block.text else []
    if not columns:
        return lines
    lines.append(_row(columns))
    lines.append("|" + "|".join(" --- " for _c in columns) + "|")
    lines += [_row(row) for row in rows]
    return lines


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
