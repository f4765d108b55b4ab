"""manage.py render_report: each format into a file, plain text to the terminal, and the
Chinese errors for a kind, region, period or format it cannot render."""

import io

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from conftest import COUNTY, TOWNSHIP_A
from tiantou.reports.models import Report
from tiantou.reports.tests.test_documents import county_year  # noqa: F401

TITLE = "沂南县科技局2026年工作总结"


def _render(*args: str) -> str:
    out = io.StringIO()
    call_command("render_report", *args, stdout=out)
    return out.getvalue()


def test_it_writes_each_format_to_a_file(county_year, tmp_path):  # noqa: F811
    base = ["--kind", "county_work", "--region", COUNTY, "--period", "2026"]
    for fmt in ("docx", "pdf", "xlsx", "md"):
        target = tmp_path / f"summary.{fmt}"
        said = _render(*base, "--format", fmt, "--out", str(target))
        assert str(target) in said
    word = docx.Document(str(tmp_path / "summary.docx"))
    assert word.paragraphs[0].text == TITLE
    assert any("举办科技培训10多期" in p.text for p in word.paragraphs)
    pdf_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "summary.pdf").pages)
    assert TITLE in pdf_text
    workbook = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert workbook.sheetnames[0] == "数字"
    assert (tmp_path / "summary.md").read_text().startswith(TITLE + "\n")
    # A render of the data only: nothing is saved.
    assert not Report.objects.exists()


def test_plain_text_goes_to_the_terminal_without_out(county_year):  # noqa: F811
    text = _render("--kind", "county_work", "--region", "371321", "--period", "2026")
    assert text.startswith(TITLE)
    assert "# 一、强化科技服务，基层科技工作扎实推进" in text
    assert "| 合计 | 13 | 11,100 |" in text


@pytest.mark.parametrize(
    ("args", "part"),
    [
        (["--kind", "nope", "--region", COUNTY, "--period", "2026"], "county_work"),
        (["--kind", "nope", "--region", COUNTY, "--period", "2026"], "nope"),
        (["--kind", "county_work", "--region", "371399000000", "--period", "2026"], "371399"),
        (["--kind", "county_work", "--region", "12ab", "--period", "2026"], "12ab"),
        (["--kind", "county_work", "--region", COUNTY, "--period", "2026-13"], "2026-13"),
        (["--kind", "county_work", "--region", TOWNSHIP_A, "--period", "2026"], TOWNSHIP_A),
        (["--kind", "county_work", "--region", COUNTY, "--period", "2026-05"], "2026-05"),
        (
            ["--kind", "county_work", "--region", COUNTY, "--period", "2026", "--format", "docx"],
            "--out",
        ),
    ],
)
def test_bad_requests_get_chinese_messages(county_year, args, part):  # noqa: F811
    with pytest.raises(CommandError) as error:
        _render(*args)
    # The stable part of the message (its words come from the Chinese catalogue).
    assert part in str(error.value)


def test_messages_already_in_the_catalogue_are_chinese(county_year):  # noqa: F811
    with pytest.raises(CommandError, match="不是"):
        _render("--kind", "county_work", "--region", COUNTY, "--period", "2026-13")
