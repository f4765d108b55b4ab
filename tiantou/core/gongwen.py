"""The one layout of official documents (公文, after GB/T 9704) in Word, shared by every
document the system writes (reports, responsibility letters, allocation lists).

A4 with margins 37/35/28/26 mm (top/bottom/left/right), the title in 方正小标宋简体 二号
(宋体 where it is not installed), the body in 仿宋_GB2312 三号 at a fixed 28 pt line with a
two-character first-line indent, headings in 黑体 / 楷体 / bold 仿宋 by level, tables in
宋体 五号 with a repeated header row, and "— 1 —" page numbers. The Chinese face of every
style and run is set through `w:eastAsia` (Word ignores `w:ascii` for Chinese text).
"""

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.shared import Length, Mm, Pt
from docx.styles.style import CharacterStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

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
TITLE_LINE = Pt(36)

# (style name, font, size, bold, centred, first-line indent, outline level)
STYLES: dict[Any, tuple[str, str, float, bool, bool, bool, int | None]] = {
    "title": ("公文标题", TITLE_FONT, SIZE_2, False, True, False, None),
    "subtitle": ("公文副标题", KAI_FONT, SIZE_3, False, True, False, None),
    1: ("一级标题", HEI_FONT, SIZE_3, False, False, True, 1),
    2: ("二级标题", KAI_FONT, SIZE_3, False, False, True, 2),
    3: ("三级标题", BODY_FONT, SIZE_3, True, False, True, 3),
    "body": ("公文正文", BODY_FONT, SIZE_3, False, False, True, None),
    "plain": ("公文正文不缩进", BODY_FONT, SIZE_3, False, False, False, None),
    "gap": ("待补内容", BODY_FONT, SIZE_3, True, False, True, None),
    "caption": ("表格标题", SONG_FONT, SIZE_S4, True, True, False, None),
    "cell": ("表格文字", SONG_FONT, SIZE_5, False, False, False, None),
}
# Styles at single line spacing: a fixed 28 pt line would clip table text.
SINGLE_SPACED = ("caption", "cell")


def new_document(*, title: str = "", landscape: bool = False) -> Document:
    """An empty 公文 document: A4 page, margins, page numbers, the styles and font table."""
    docx = new_docx()
    _page(docx, landscape=landscape)
    _styles(docx)
    _font_table(docx)
    if title:
        docx.core_properties.title = title
    return docx


def to_bytes(docx: Document) -> bytes:
    """The document as .docx bytes."""
    output = io.BytesIO()
    docx.save(output)
    return output.getvalue()


def paragraph(
    docx: Document, key: Any, text: str, *, align: WD_PARAGRAPH_ALIGNMENT | None = None
) -> Paragraph:
    """A paragraph in one of the STYLES, its run's fonts set directly too."""
    name, face, size, bold, *_rest = STYLES[key]
    added = docx.add_paragraph(style=name)
    if align is not None:
        added.alignment = align
    if text:
        font(added.add_run(text), face, size, bold)
    return added


def table(
    docx: Document,
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths: Sequence[Length] | None = None,
    align: Callable[[str], Any] | None = None,
    bold: Callable[[str], bool] | None = None,
) -> Table:
    """A grid table: a bold centred header row repeated on every page, then the rows;
    `align` and `bold` decide per cell text (left and regular by default)."""
    rows = [list(row) for row in rows]
    grid = docx.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    _repeat_header(header)
    for number, (row_cells, values) in enumerate(
        zip(grid.rows, [list(columns), *rows], strict=True)
    ):
        is_header = number == 0
        for index, (box, text) in enumerate(zip(row_cells.cells, values, strict=False)):
            if widths is not None:
                box.width = widths[index]
            text = str(text)
            if is_header:
                cell(box, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            else:
                cell(
                    box,
                    text,
                    bold=bold(text) if bold else False,
                    align=align(text) if align else WD_ALIGN_PARAGRAPH.LEFT,
                )
    return grid


def cell(
    box: _Cell,
    text: str,
    *,
    bold: bool = False,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    key: Any = "cell",
) -> None:
    """A table cell's text in a table style."""
    name, face, size, *_rest = STYLES[key]
    added = box.paragraphs[0]
    added.style = name
    if align is not None:
        added.alignment = align
    font(added.add_run(text), face, size, bold)


def font(run: Run, name: str, size: float, bold: bool | None = None) -> None:
    """A run's fonts set directly, so that any reader sees the CJK face (w:eastAsia)."""
    run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    _east_asian(run._element.get_or_add_rPr(), name)


# ---------------------------------------------------------------- page and styles


def _page(docx: Document, *, landscape: bool) -> None:
    section = docx.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(footer.add_run("— "), SONG_FONT, SIZE_4)
    _page_field(footer)
    font(footer.add_run(" —"), SONG_FONT, SIZE_4)


def _page_field(target: Paragraph) -> None:
    """A PAGE field (Word fills in the page's number)."""
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        run = target.add_run()
        font(run, SONG_FONT, SIZE_4)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        run._element.append(element)
    font(target.add_run("1"), SONG_FONT, SIZE_4)
    end = target.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    end._element.append(element)


def _styles(docx: Document) -> None:
    normal = docx.styles["Normal"]
    _style_font(normal, BODY_FONT, SIZE_3, bold=False)
    for key, (name, face, size, bold, centred, indent, outline) in STYLES.items():
        style = docx.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = f"Tiantou{str(key).title()}"  # ASCII ids, as Word writes them
        style.base_style = normal
        style.quick_style = True
        _style_font(style, face, size, bold=bold)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if key in SINGLE_SPACED:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = TITLE_LINE if key == "title" else LINE
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


def _first_line_chars(ppr: CT_PPr, size: float) -> None:
    """A first-line indent of two characters (w:firstLineChars, with the length in twips
    for readers that ignore it)."""
    ind = ppr.get_or_add_ind()
    ind.set(qn("w:firstLineChars"), "200")
    ind.set(qn("w:firstLine"), str(int(size * 2 * 20)))


def _style_font(style: CharacterStyle, name: str, size: float, *, bold: bool) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    _east_asian(style.element.get_or_add_rPr(), name)


def _east_asian(rpr: CT_RPr, name: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(docx: Document) -> None:
    """Name the alternatives of the 公文 fonts in the font table."""
    part = next(p for p in docx.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    entries = "".join(
        f'<w:font w:name="{face}"><w:altName w:val="{alternative}"/>'
        '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for face, alternative in ALTERNATIVES.items()
    )
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode() + b"</w:fonts>")


def _repeat_header(row: _Row) -> None:
    """The header row is repeated on every page the table runs over."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)
