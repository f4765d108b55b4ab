import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tiantou.core import importing
from tiantou.core.exporting import write_xlsx
from tiantou.core.importing import Column, parsers, read_sheet

from .xlsx import xlsx_upload

COLUMNS = [
    Column("name", "Name", importing.text(10), required=True, example="东山村"),
    Column("count", "Count", importing.integer(0, 100), number_format="0"),
    Column("on", "Date", importing.date()),
    Column("flag", "Flag", importing.boolean(), empty=None),
]
HEADER = ["Name", "Count", "Date", "Flag"]


def read(rows, max_rows=100):
    return read_sheet(xlsx_upload(rows), COLUMNS, max_rows=max_rows)


def test_reads_and_parses_cells():
    result = read(
        [HEADER, ["东山村", 3, dt.datetime(2026, 3, 1), "是"], ["西山村", "4", "2026/3/2", ""]]
    )
    assert result.ok, result.errors
    assert [r.number for r in result.rows] == [2, 3]
    assert result.rows[0].values == {
        "name": "东山村",
        "count": 3,
        "on": dt.date(2026, 3, 1),
        "flag": True,
    }
    assert result.rows[1].values["flag"] is None
    assert result.rows[1].values["on"] == dt.date(2026, 3, 2)


def test_blank_rows_are_skipped_and_row_numbers_stay_as_excel_shows_them():
    result = read([HEADER, ["a", 1], [None, None], ["b", "x"]])
    assert [(e.row, e.column) for e in result.errors] == [(4, "Count")]
    assert "Row 4" in str(result.errors[0]) or "第4行" in str(result.errors[0])


def test_column_order_and_optional_columns_are_free():
    result = read([["Count", "Name"], [5, "a"]])
    assert result.ok
    assert result.present == {"name", "count"}
    assert result.rows[0].values == {"name": "a", "count": 5}


def test_missing_and_unknown_columns_are_named():
    result = read([["Count", "Colour"], [1, "red"]])
    assert not result.ok
    messages = " ".join(str(e) for e in result.errors)
    assert "「Name」" in messages
    assert "「Colour」" in messages
    assert result.rows == []


def test_required_cell():
    result = read([HEADER, [None, 1]])
    assert [(e.row, e.column) for e in result.errors] == [(2, "Name")]


def test_empty_workbook():
    result = read([])
    assert not result.ok
    assert result.errors[0].row is None


def test_header_only_sheet():
    result = read([HEADER])
    assert not result.ok
    assert "no data rows" in str(result.errors[0]) or "没有" in str(result.errors[0])


@pytest.mark.parametrize(
    "content",
    [
        b"name,count\na,1\n",
        b"",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        b"PK\x03\x04junk",
    ],
    ids=["text", "empty", "xls", "broken-zip"],
)
def test_files_that_are_not_xlsx(content):
    result = read_sheet(SimpleUploadedFile("data.xlsx", content), COLUMNS, max_rows=10)
    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].row is None


def test_a_zip_that_is_not_a_workbook():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    result = read_sheet(SimpleUploadedFile("a.xlsx", buffer.getvalue()), COLUMNS, max_rows=10)
    assert not result.ok


def test_too_many_rows():
    result = read([HEADER] + [["a", 1]] * 6, max_rows=5)
    assert not result.ok
    assert "5" in str(result.errors[0])
    assert result.rows == []


def test_errors_are_counted_beyond_those_kept():
    result = read([HEADER] + [["a", "x"]] * (importing.MAX_ERRORS_KEPT + 5), max_rows=1000)
    assert result.error_count == importing.MAX_ERRORS_KEPT + 5
    assert len(result.errors) == importing.MAX_ERRORS_KEPT
    assert result.hidden_error_count == 5


def test_text_parser_keeps_whole_numbers_without_point_zero():
    assert importing.text()(13800000000.0) == "13800000000"
    with pytest.raises(importing.ValidationError):
        importing.text(3)("abcd")


def test_choice_accepts_label_and_value():
    from tiantou.regions.choices import OrganisationKind

    parse = importing.choice(OrganisationKind)
    assert parse(str(OrganisationKind.ENTERPRISE.label)) == OrganisationKind.ENTERPRISE
    assert parse("enterprise") == OrganisationKind.ENTERPRISE
    with pytest.raises(importing.ValidationError):
        parse("spaceship")


def test_template_has_header_example_and_instructions():
    workbook = load_workbook(io.BytesIO(importing.build_template(COLUMNS, sheet_title="Data")))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == "东山村"
    assert len(workbook.worksheets) == 2
    assert any(row[0] == "Name" for row in workbook.worksheets[1].iter_rows(values_only=True))


def test_template_reads_back_with_only_the_example_row():
    data = importing.build_template(COLUMNS, sheet_title="Data")
    result = read_sheet(SimpleUploadedFile("t.xlsx", data), COLUMNS, max_rows=10)
    assert result.ok
    assert len(result.rows) == 1


class Thing:
    def __init__(self, name, count):
        self.name, self.count, self.on, self.flag = name, count, None, None


def test_export_reads_back_unchanged_and_formulas_stay_text():
    things = [Thing("=1+1", 3), Thing("东山村", 4)]
    output = write_xlsx(COLUMNS, things, sheet_title="Data")
    workbook = load_workbook(output)
    assert workbook.worksheets[0]["A2"].value == "=1+1"
    assert workbook.worksheets[0]["A2"].data_type == "s"
    output.seek(0)
    result = read_sheet(SimpleUploadedFile("e.xlsx", output.read()), COLUMNS, max_rows=10)
    assert result.ok
    assert [r.values["name"] for r in result.rows] == ["=1+1", "东山村"]


def test_a_huge_decimal_cell_is_refused_not_an_error():
    with pytest.raises(ValidationError) as caught:
        parsers.decimal_number()("1e300")
    assert caught.value.code == "too_large"


def test_a_cell_with_a_nul_character_is_refused():
    with pytest.raises(ValidationError) as caught:
        parsers.text(50)("岸堤\x00镇")
    assert caught.value.code == "nul"
