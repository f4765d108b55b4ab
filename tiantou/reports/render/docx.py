"""A report as Word (.docx) in the layout of official documents (公文, after GB/T 9704): A4 with
margins 37/35/28/26 mm, the title in 方正小标宋简体 二号 (宋体 where it is not installed), the
body in 仿宋 三号 at a fixed 28 pt line with a two-character first-line indent, headings
in 黑体 / 楷体 / bold 仿宋 by level, tables with a caption, marked gaps highlighted, and
"— 1 —" page numbers."""

import io

from docx import Document as new_docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..document import CHART, GAP, HEADING, TABLE, Block, Document, numbered
from .common import cell_number, gap_text, heading_text

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Fonts a government office has but a plain Windows may not: Word shows the alternative
# named in the font table (w:altName) instead of some unrelated default.
ALTERNATIVES = {TITLE_FONT: SONG_FONT, BODY_FONT: "仿宋", KAI_FONT: "楷体"}

SIZE_2 = 22  # 二号
SIZE_3 = 16  # 三号
SIZE_4 = 14  # 四号
SIZE_S4 = 12  # 小四
SIZE_5 = 10.5  # 五号
LINE = Pt(28)

# (style name, font, size, bold, centred, first-line indent, outline level)
STYLES = {
    "title": ("报告标题", TITLE_FONT, SIZE_2, False, True, False, None),
    "subtitle": ("报告副标题", KAI_FONT, SIZE_3, False, True, False, None),
    1: ("一级标题", HEI_FONT, SIZE_3, False, False, True, 1),
    2: ("二级标题", KAI_FONT, SIZE_3, False, False, True, 2),
    3: ("三级标题", BODY_FONT, SIZE_3, True, False, True, 3),
    "body": ("报告正文", BODY_FONT, SIZE_3, False, False, True, None),
    "gap": ("待补内容", BODY_FONT, SIZE_3, True, False, True, None),
    "caption": ("表格标题", SONG_FONT, SIZE_S4, True, True, False, None),
    "cell": ("表格文字", SONG_FONT, SIZE_5, False, False, False, None),
}


def render_docx(document: Document) -> bytes:
    """The document as .docx bytes."""
    docx = new_docx()
    _page(docx)
    _styles(docx)
    _font_table(docx)
    docx.core_properties.title = document.title
    _paragraph(docx, "title", document.title)
    if document.subtitle:
        _paragraph(docx, "subtitle", document.subtitle)
    _paragraph(docx, "body", "")  # a blank line under the title, as in 公文
    for block, label in numbered(document.blocks):
        if block.kind == HEADING:
            _paragraph(docx, min(max(block.level, 1), 3), heading_text(block, label))
        elif block.kind == TABLE:
            _table(docx, block)
        elif block.kind == CHART:
            _chart(docx, block)
        elif block.kind == GAP:
            paragraph = _paragraph(docx, "gap", gap_text(block))
            for run in paragraph.runs:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            _paragraph(docx, "body", block.full_text)
    output = io.BytesIO()
    docx.save(output)
    return output.getvalue()


# ---------------------------------------------------------------- page and styles


def _page(docx) -> None:
    section = docx.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), SONG_FONT, SIZE_4)
    _page_field(footer)
    _font(footer.add_run(" —"), SONG_FONT, SIZE_4)


def _page_field(paragraph) -> None:
    """A PAGE field (Word fills in the page's number)."""
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        run = paragraph.add_run()
        _font(run, SONG_FONT, SIZE_4)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        run._element.append(element)
    _font(paragraph.add_run("1"), SONG_FONT, SIZE_4)
    end = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    end._element.append(element)


def _styles(docx) -> None:
    normal = docx.styles["Normal"]
    _style_font(normal, BODY_FONT, SIZE_3, bold=False)
    for key, (name, font, size, bold, centred, indent, outline) in STYLES.items():
        style = docx.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = f"Tiantou{str(key).title()}"  # ASCII ids, as Word writes them
        style.base_style = normal
        style.quick_style = True
        _style_font(style, font, size, bold=bold)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if key in ("caption", "cell"):
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(36) if key == "title" else LINE
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            _first_line_chars(style.element.get_or_add_pPr(), size)
        if key == "caption":
            fmt.space_before = Pt(6)
            fmt.space_after = Pt(3)
        if key in (1, 2, 3, "caption"):
            fmt.keep_with_next = True
        if outline:
            # Last in w:pPr (after w:jc, as the schema orders it): the navigation pane and
            # the table of contents see the headings.
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(outline - 1))
            style.element.get_or_add_pPr().append(level)


def _first_line_chars(ppr, size: float) -> None:
    """A first-line indent of two characters (w:firstLineChars, with the length in twips
    for readers that ignore it)."""
    ind = ppr.get_or_add_ind()
    ind.set(qn("w:firstLineChars"), "200")
    ind.set(qn("w:firstLine"), str(int(size * 2 * 20)))


def _style_font(style, name: str, size: float, *, bold: bool) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    _east_asian(style.element.get_or_add_rPr(), name)


def _east_asian(rpr, name: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font(run, name: str, size: float, bold: bool | None = None) -> None:
    """A run's fonts set directly too, so that any reader sees the CJK face (w:eastAsia)."""
    run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    _east_asian(run._element.get_or_add_rPr(), name)


def _font_table(docx) -> None:
    """Name the alternatives of the 公文 fonts in the font table."""
    part = next(p for p in docx.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    entries = "".join(
        f'<w:font w:name="{font}"><w:altName w:val="{alternative}"/>'
        '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for font, alternative in ALTERNATIVES.items()
    )
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode() + b"</w:fonts>")


# ---------------------------------------------------------------- blocks


def _paragraph(docx, key, text: str):
    name, font, size, bold, *_rest = STYLES[key]
    paragraph = docx.add_paragraph(style=name)
    if text:
        _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _table(docx, block: Block) -> None:
    columns = block.table.get("columns", [])
    rows = block.table.get("rows", [])
    if block.text:
        _paragraph(docx, "caption", block.text)
    if not columns:
        return
    table = docx.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, columns, strict=False):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row, values in zip(table.rows[1:], rows, strict=False):
        for cell, text in zip(row.cells, values, strict=False):
            number, _percent = cell_number(text)
            align = WD_ALIGN_PARAGRAPH.RIGHT if number is not None else WD_ALIGN_PARAGRAPH.LEFT
            _cell(cell, text, bold=text == "合计", align=align)
    _paragraph(docx, "body", "")


def _chart(docx, block: Block) -> None:
    """The chart as a picture, centred, with its caption below."""
    from .chart import chart_png

    picture = docx.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.first_line_indent = 0
    picture.paragraph_format.line_spacing = 1.0
    picture.add_run().add_picture(io.BytesIO(chart_png(block)), width=Mm(150))
    caption = docx.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = 0
    _font(caption.add_run(block.text), "宋体", 10.5, bold=True)


def _cell(cell, text: str, *, bold: bool, align) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = STYLES["cell"][0]
    paragraph.alignment = align
    _font(paragraph.add_run(text), SONG_FONT, SIZE_5, bold)


def _repeat_header(row) -> None:
    """The header row is repeated on every page the table runs over."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)
