"""Render a report document's blocks: generated numbers, figures linked to their records."""

from django import template
from django.utils.html import format_html, format_html_join

from ..document import CHART, GAP, HEADING, ITEMS, TABLE, Document, numbered, segments
from ..render.common import gap_text

register = template.Library()


@register.filter
def as_document(data) -> Document:
    """A stored draft or version content as a Document."""
    return data if isinstance(data, Document) else Document.from_json(data or {})


@register.filter
def gap(block) -> str:
    """A gap as every format shows it: 【待补：…】."""
    return gap_text(block)


@register.filter
def chart_src(block) -> str:
    """A chart block as an inline PNG (the same picture as in Word and PDF)."""
    import base64

    # Imported here: matplotlib is slow to load and only pages with a chart need it.
    from ..render.chart import chart_png

    return "data:image/png;base64," + base64.b64encode(chart_png(block)).decode()


@register.filter
def numbered_blocks(document: Document) -> list[dict]:
    """Each block with its generated number and its text cut into plain runs and figures."""
    rows = []
    for block, label in numbered(document.blocks):
        rows.append(
            {
                "block": block,
                "label": label,
                "is_heading": block.kind == HEADING,
                "is_table": block.kind == TABLE,
                "is_chart": block.kind == CHART,
                "is_gap": block.kind == GAP,
                "is_items": block.kind == ITEMS,
                "segments": segments(block.full_text, block.figures),
                "table_rows": _table_rows(block.table) if block.kind == TABLE else [],
            }
        )
    return rows


def _table_rows(table: dict) -> list[list[tuple[str, str]]]:
    """Each cell of a table with its records link ("" when it has none)."""
    urls = table.get("urls") or []
    return [
        [
            (cell, urls[r][c] if r < len(urls) and c < len(urls[r]) else "")
            for c, cell in enumerate(cells)
        ]
        for r, cells in enumerate(table.get("rows", []))
    ]


@register.simple_tag
def linked_text(segments_, links=True):
    """The text with each figure as a link to its records (or a plain mark in print)."""
    if not links:
        return format_html_join("", "{}", ((text,) for text, _figure in segments_))
    parts = []
    for text, figure in segments_:
        if figure is None:
            parts.append(format_html("{}", text))
        else:
            parts.append(
                format_html(
                    '<a class="tt-figure" href="{}" title="{}" data-value="{}">{}</a>',
                    figure.url,
                    figure.label,
                    figure.value or "",
                    text,
                )
            )
    return format_html_join("", "{}", ((p,) for p in parts))
