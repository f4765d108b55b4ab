"""The county work summary rendered to Word, PDF, Excel and plain text, each re-opened and
read back."""

import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from conftest import COUNTY
from tiantou.core.periods import Period
from tiantou.indicators.engine import Scope
from tiantou.regions.models import Region
from tiantou.reports import kinds
from tiantou.reports.document import GAP, HEADING, TABLE, Block, Document, Figure
from tiantou.reports.render import FORMATS, render
from tiantou.reports.render.common import cell_number, gap_text
from tiantou.reports.render.markdown import render_md
from tiantou.reports.render.xlsx import render_xlsx
from tiantou.reports.tests.test_documents import TODAY, county_year  # noqa: F401

TITLE = "沂南县科技局2026年工作总结"
HEADING_1 = "一、强化科技服务，基层科技工作扎实推进"
TABLE_CAPTION = "2026年各乡镇主要工作数据"


@pytest.fixture
def summary(county_year) -> Document:  # noqa: F811
    return kinds.get("county_work").make(
        scope=Scope(region=Region.objects.get(code=COUNTY)), period=Period.year(2026), today=TODAY
    )


def _east_asian(run) -> str | None:
    fonts = run._element.rPr.rFonts
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_word_has_the_title_numbered_headings_text_table_and_marked_gap(summary):
    data = render(summary, "docx")
    word = docx.Document(io.BytesIO(data))
    paragraphs = word.paragraphs
    texts = [p.text for p in paragraphs]

    assert texts[0] == TITLE
    title_run = paragraphs[0].runs[0]
    assert _east_asian(title_run) == "方正小标宋简体" and title_run.font.size == Pt(22)
    title_style = paragraphs[0].style
    assert title_style is not None
    assert title_style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER

    assert HEADING_1 in texts
    heading = paragraphs[texts.index(HEADING_1)]
    assert _east_asian(heading.runs[0]) == "黑体"
    assert "五、下一步工作" in texts
    body = next(p for p in paragraphs if "举办科技培训10多期" in p.text)
    assert _east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.style is not None and body.style.paragraph_format.line_spacing == Pt(28)
    # 一是…二是 lists are running paragraphs.
    assert any(t.startswith("一是") and "；二是" in t for t in texts)
    assert "一是新发展优质食用菌3000亩，力争5000亩；二是组织送科技下乡活动3次以上。" in "".join(
        texts
    )
    # Every run with text names its East-Asian font.
    assert all(_east_asian(r) for p in paragraphs for r in p.runs if r.text.strip())

    gap = next(p for p in paragraphs if "指导思想" in p.text)
    assert gap.text.startswith("【待补：") and gap.text.endswith("】")
    assert gap.runs[0].font.highlight_color is not None

    assert TABLE_CAPTION in texts
    (table,) = word.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][:3] == ["区划", "科技培训（期）", "培训人次（人次）"]
    assert rows[-1][:3] == ["合计", "13", "11,100"]
    # The county's own level has none of these figures: no row for it.
    assert [row[0] for row in rows[1:]] == ["岸堤镇", "孙祖镇", "合计"]
    assert rows[1][:3] == ["岸堤镇", "12", "10,800"]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].font.bold

    section = word.sections[0]
    width, height = section.page_width, section.page_height
    top, left = section.top_margin, section.left_margin
    assert width is not None and height is not None and top is not None and left is not None
    assert (round(width.mm), round(height.mm)) == (210, 297)
    assert abs(top - Mm(37)) < Mm(0.1)
    assert abs(left - Mm(28)) < Mm(0.1)
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in footer
    # The fallback of the title font is named in the font table.
    font_table = next(
        p.blob for p in word.part.package.iter_parts() if p.partname.endswith("fontTable.xml")
    )
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>'.encode() in font_table


def test_pdf_has_the_title_and_figures_as_text(summary):
    data = render(summary, "pdf")
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    # Lines wrap anywhere in Chinese: read the text without its line breaks.
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert TITLE in text
    assert "6.19亿元" in text and "同比增长30.6%" in text
    assert "举办科技培训10多期" in text
    assert "【待补：" in text
    assert "—1—" in text and "—2—" in text  # page numbers
    assert "合计1311,100" in text  # the table's total row


def test_excel_lists_every_figure_with_its_exact_value_and_tables_as_numbers(summary):
    workbook = openpyxl.load_workbook(
        io.BytesIO(render_xlsx(summary, base_url="https://tiantou.example"))
    )
    assert workbook.sheetnames == ["数字", TABLE_CAPTION]
    figures = workbook["数字"]
    rows = list(figures.iter_rows(values_only=True))
    assert rows[0] == ("文字", "指标", "精确值", "单位", "说明", "链接")
    by_text = {row[0]: row for row in rows[1:]}
    assert len(rows) - 1 == len(summary.figures)
    assert by_text["10多期"][1:4] == ("科技培训", 13, "期")
    assert by_text["1.1万余人次"][2] == 11100
    assert by_text["6.19亿元"][2] == 619000000 and by_text["6.19亿元"][3] == "元"
    # 619 000 000 / 2 668 000 000 = 23.20…%
    assert abs(by_text["23.2%"][2] - 23.2009) < 0.001
    link = figures.cell(row=2, column=6)
    assert link.value.startswith("https://tiantou.example/indicators/value/?")
    assert link.hyperlink.target == link.value

    table = workbook[TABLE_CAPTION]
    assert table["A1"].value == TABLE_CAPTION
    assert [c.value for c in table[2]][:3] == ["区划", "科技培训（期）", "培训人次（人次）"]
    assert table[2][0].font.b
    total = [c.value for c in table[table.max_row]]
    assert total[:3] == ["合计", 13, 11100]  # numbers, not "11,100"
    assert isinstance(total[2], int)


def test_plain_text_numbers_headings_and_draws_tables(summary):
    text = render_md(summary)
    lines = text.splitlines()
    assert lines[0] == TITLE
    assert f"# {HEADING_1}" in lines
    assert "# 五、下一步工作" in lines
    assert "| 合计 | 13 | 11,100 | 1 | 1 | 1 |" in lines
    assert any(line.startswith("【待补：2026年的指导思想") for line in lines)
    assert render(summary, "md") == text.encode()


def _small_document() -> Document:
    return Document(
        title="题目",
        subtitle="（2026年）",
        blocks=[
            Block(id="b1", kind=HEADING, level=1, text="甲"),
            Block(id="b2", kind=HEADING, level=2, text="子"),
            Block(id="b3", kind=HEADING, level=3, text="细"),
            Block(id="b4", kind="items", text="主要是：", items=["开展培训", "推广技术"]),
            Block(id="b5", kind=GAP, text="本节数据待补。"),
            Block(id="b6", kind=GAP, text="科普经费"),
            Block(
                id="b7",
                kind=TABLE,
                text="表：一览/汇总",
                table={"columns": ["名称", "占比", "金额"], "rows": [["甲|乙", "12.5%", "1.50"]]},
            ),
            Block(
                id="b8",
                kind=TABLE,
                text="表：一览/汇总",
                table={"columns": ["名称"], "rows": [["丙"]]},
            ),
            Block(
                id="b9",
                kind="paragraph",
                text="共7项",
                figures=[Figure("7项", "nope", "7", "项", "说明", "")],
            ),
        ],
    )


def test_levels_items_gaps_and_awkward_tables_in_each_format():
    document = _small_document()
    text = render_md(document)
    assert "# 一、甲\n\n## （一）子\n\n### 1.细" in text
    assert "主要是：一是开展培训；二是推广技术。" in text
    # A gap that says 待补 itself is not marked twice; one that does not is.
    assert "【本节数据待补。】" in text and "【待补：科普经费】" in text
    assert "| 甲\\|乙 | 12.5% | 1.50 |" in text

    word = docx.Document(io.BytesIO(render(document, "docx")))
    texts = [p.text for p in word.paragraphs]
    assert texts[:2] == ["题目", "（2026年）"]
    numbered_headings = ["一、甲", "（一）子", "1.细"]
    assert [t for t in texts if t in numbered_headings] == numbered_headings
    level3 = word.paragraphs[texts.index("1.细")].runs[0]
    assert level3.font.bold and _east_asian(level3) == "仿宋_GB2312"
    assert _east_asian(word.paragraphs[texts.index("（一）子")].runs[0]) == "楷体_GB2312"
    assert len(word.tables) == 2

    workbook = openpyxl.load_workbook(io.BytesIO(render(document, "xlsx")))
    # Sheet names lose the characters Excel forbids and stay unique.
    assert workbook.sheetnames == ["数字", "表：一览汇总", "表：一览汇总(2)"]
    sheet = workbook["表：一览汇总"]
    share, amount = sheet["B3"], sheet["C3"]
    assert share.value == pytest.approx(0.125) and share.number_format == "0.0%"
    assert amount.value == pytest.approx(1.5)
    # Without a base address the path is written but not made a (broken) hyperlink; an
    # indicator that no longer exists is shown by its key.
    assert list(workbook["数字"].iter_rows(min_row=2, values_only=True)) == [
        ("7项", "nope", 7, "项", "说明", None)
    ]


def test_table_cells_are_read_as_numbers_only_when_they_are_numbers():
    assert cell_number("11,100") == (11100, False)
    assert cell_number("6.19") == (Decimal("6.19"), False)
    assert cell_number("23.2%") == (Decimal("0.232"), True)
    assert cell_number("-3") == (-3, False)
    for text in ("—", "", "岸堤镇", "1,00", "12,3456", "3亩", "1.2.3", "%"):
        assert cell_number(text) == (None, False), text
    assert gap_text(Block(id="x", kind=GAP, text=" 待补：甲 ")) == "【待补：甲】"


def test_every_format_is_declared_with_its_type_and_extension():
    assert sorted(FORMATS) == ["docx", "md", "pdf", "xlsx"]
    assert FORMATS["pdf"].content_type == "application/pdf"
    assert FORMATS["xlsx"].extension == "xlsx" and not FORMATS["md"].binary
    with pytest.raises(KeyError):
        render(Document(title="x"), "odt")


def test_a_chart_is_one_picture_in_word_and_pdf_and_a_line_in_text(county_year):  # noqa: F811
    """The county summary's chart of 培训人次 by township."""
    from tiantou.reports.document import CHART

    document = kinds.get("county_work").make(
        scope=Scope(region=Region.objects.get(code=COUNTY)), period=Period.year(2026), today=TODAY
    )
    chart = next(b for b in document.blocks if b.kind == CHART)
    assert chart.table["labels"] == ["岸堤镇", "孙祖镇"]
    assert chart.table["series"][0]["values"] == [10800, 300]
    word = docx.Document(io.BytesIO(render(document, "docx")))
    assert len(word.inline_shapes) == 1
    assert any(p.text == chart.text for p in word.paragraphs)
    pdf = PdfReader(io.BytesIO(render(document, "pdf")))
    assert sum(len(page.images) for page in pdf.pages) >= 1  # the PNG (and its alpha mask)
    assert chart.text in "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert f"（图：{chart.text}）" in render(document, "md").decode()
