"""A report as Word (.docx) in the layout of official documents (公文): the page, styles and
fonts are `core.gongwen`'s; this module lays out the blocks (numbered headings, running
text, tables with a caption, charts, marked gaps highlighted)."""

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Mm

from tiantou.core import gongwen

from ..document import CHART, GAP, HEADING, TABLE, Block, Document, numbered
from .common import cell_number, gap_text, heading_text


def render_docx(document: Document) -> bytes:
    """The document as .docx bytes."""
    docx = gongwen.new_document(title=document.title)
    gongwen.paragraph(docx, "title", document.title)
    if document.subtitle:
        gongwen.paragraph(docx, "subtitle", document.subtitle)
    gongwen.paragraph(docx, "body", "")  # a blank line under the title, as in 公文
    for block, label in numbered(document.blocks):
        if block.kind == HEADING:
            gongwen.paragraph(docx, min(max(block.level, 1), 3), heading_text(block, label))
        elif block.kind == TABLE:
            _table(docx, block)
        elif block.kind == CHART:
            _chart(docx, block)
        elif block.kind == GAP:
            paragraph = gongwen.paragraph(docx, "gap", gap_text(block))
            for run in paragraph.runs:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            gongwen.paragraph(docx, "body", block.full_text)
    return gongwen.to_bytes(docx)


def _align(text: str):
    """Numbers right, text left."""
    number, _percent = cell_number(text)
    return WD_ALIGN_PARAGRAPH.RIGHT if number is not None else WD_ALIGN_PARAGRAPH.LEFT


def _table(docx, block: Block) -> None:
    columns = block.table.get("columns", [])
    rows = block.table.get("rows", [])
    if block.text:
        gongwen.paragraph(docx, "caption", block.text)
    if not columns:
        return
    width = len(columns)
    gongwen.table(
        docx,
        columns,
        [list(row)[:width] for row in rows],
        align=_align,
        bold=lambda text: text == "合计",
    )
    gongwen.paragraph(docx, "body", "")


def _chart(docx, block: Block) -> None:
    """The chart as a picture, centred, with its caption below."""
    # Imported here: matplotlib is slow to load and only documents with a chart need it.
    from .chart import chart_png

    picture = docx.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.first_line_indent = 0
    picture.paragraph_format.line_spacing = 1.0
    picture.add_run().add_picture(io.BytesIO(chart_png(block)), width=Mm(150))
    caption = docx.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = 0
    gongwen.font(caption.add_run(block.text), gongwen.SONG_FONT, gongwen.SIZE_5, bold=True)
