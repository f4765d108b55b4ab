"""Every exporter writes text that looks like a formula as text (issue 18: formula injection).

The target-sheet export is checked where it lives; it must call `text_cell` too.
"""

import io
from types import SimpleNamespace
from typing import Any, cast
from unittest import mock

import pytest
from openpyxl import load_workbook

from tiantou.core.exporting import text_cell, write_xlsx
from tiantou.core.importing import Column
from tiantou.people import allocation
from tiantou.reports.document import TABLE, Block, Document, Figure
from tiantou.reports.render.xlsx import render_xlsx

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]


def _cells(data: bytes) -> list:
    workbook = load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def _assert_text(data: bytes, value: str) -> None:
    found = [cell for cell in _cells(data) if cell.value == value]
    assert found, f"{value!r} not written as the same text"
    for cell in found:
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert not [cell for cell in _cells(data) if cell.data_type == "f"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_write_xlsx_writes_formula_like_text_as_text(value):
    columns = [Column("name", "名称"), Column("note", "备注")]
    output = write_xlsx(columns, [SimpleNamespace(name=value, note="普通")], sheet_title="表")
    _assert_text(output.read(), value)


@pytest.mark.parametrize("value", DANGEROUS)
def test_report_workbook_writes_formula_like_text_as_text(value):
    figure = Figure(text=value, indicator="x", value=None, unit=value, label=value, url="")
    table = {"columns": ["名称", value], "rows": [[value, "12"]]}
    document = Document(
        title="报告",
        blocks=[
            Block(id="t", kind=TABLE, text=value, table=table),
            Block(id="p", kind="paragraph", text="正文", figures=[figure]),
        ],
    )
    data = render_xlsx(document)
    _assert_text(data, value)


@pytest.mark.parametrize("value", DANGEROUS)
def test_allocation_workbook_writes_formula_like_text_as_text(value):
    row = SimpleNamespace(
        number=1,
        name=value,
        gender="男",
        title=value,
        home_unit=value,
        destination="岸堤镇",
        post="科技副镇长",
    )
    with (
        mock.patch.object(allocation, "allocation_rows", return_value=[row]),
        mock.patch.object(allocation, "allocation_title", return_value=value),
        mock.patch.object(allocation, "allocation_headers", return_value=["序号"] * 7),
    ):
        data = allocation.allocation_xlsx(cast(Any, SimpleNamespace()))
    _assert_text(data, value)


def test_plain_values_pass_unchanged():
    assert text_cell(None, "岸堤镇") == "岸堤镇"
    assert text_cell(None, 12) == 12
    assert text_cell(None, "a\x01b") == "ab"
