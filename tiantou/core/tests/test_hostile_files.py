"""Hostile spreadsheets (issue 18): refused with a message before calamine reads them,
through the reader and through an import page, with nothing written."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tiantou.core import importing
from tiantou.core.importing import Column, read_sheet
from tiantou.core.importing.reader import check_workbook
from tiantou.regions.models import Organisation

from . import hostile

COLUMNS = [
    Column("name", "Name", importing.text(200), required=True),
    Column("count", "Count", importing.integer(0, 100)),
]
# The messages new with issue 18 are checked for the figures they name (they read in
# Chinese once the catalogue has them); the older ones in Chinese.
NOT_XLSX = "这不是 Excel .xlsx 文件"
REFUSED: dict[str, tuple[Any, ...]] = {  # a file maker, then the words of its message
    "far_cell": (hostile.far_cell, "1048576", "16384"),
    "far_cell_undeclared": (lambda: hostile.far_cell(declared=False), "1048576"),
    "lying_dimension": (hostile.lying_dimension, "1048576"),
    "wide": (hostile.wide, "201", "200"),
    "zip_bomb": (hostile.zip_bomb, "200"),
    "lying_sizes": (hostile.lying_sizes, NOT_XLSX),
    "not_a_zip": (hostile.not_a_zip, NOT_XLSX),
    "truncated": (hostile.truncated, NOT_XLSX),
    "csv_with_nul_bytes": (hostile.csv_with_nul_bytes, NOT_XLSX),
    "entity_expansion": (hostile.entity_expansion, NOT_XLSX),
}


def _read(data: bytes, name: str = "x.xlsx", max_rows: int = 10_000):
    with translation.override("zh-hans"):
        result = read_sheet(SimpleUploadedFile(name, data), COLUMNS, max_rows=max_rows)
        return result, [str(error.message) for error in result.errors]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_reader_refuses_hostile_files_with_a_message(name):
    make, *words = REFUSED[name]
    result, messages = _read(make())
    assert not result.ok
    assert result.rows == []
    assert len(messages) == 1
    assert all(word in messages[0] for word in words), messages


def test_the_limits_are_named():
    _result, messages = _read(hostile.far_cell(), max_rows=10_000)
    assert "11000" in messages[0] and "200" in messages[0]
    _result, messages = _read(hostile.zip_bomb())
    assert "200" in messages[0]


def test_a_zip_bomb_is_counted_while_unzipping(settings):
    """With the ratio check out of the way, the size unzipped stops it, whatever the
    directory says."""
    settings.TIANTOU_IMPORT_MAX_COMPRESSION_RATIO = 10**9
    settings.TIANTOU_IMPORT_MAX_UNZIPPED_BYTES = 4 * hostile.MB
    _result, messages = _read(hostile.zip_bomb(8 * hostile.MB))
    assert "4" in messages[0] and "200" not in messages[0], messages


def test_a_csv_named_csv_is_refused_too():
    result, messages = _read(hostile.csv_with_nul_bytes(), name="x.csv")
    assert not result.ok and NOT_XLSX in messages[0]


def test_a_formula_reads_its_cached_value_and_fetches_nothing():
    result, messages = _read(hostile.formula_and_external_link())
    assert messages == []
    assert [row.values for row in result.rows] == [
        {"name": "东山村", "count": 42},
        {"name": "西山村", "count": ""},  # no cached value: an empty cell
    ]


def test_a_huge_string_is_a_cell_error_and_the_preview_is_cut():
    result, messages = _read(hostile.huge_string(100_000))
    assert not result.ok
    assert "最多32767个字符（现有100000个）" in messages[0]
    assert len(result.rows[0].shown[0]) == 201


def test_a_plain_workbook_passes_the_checks():
    data = hostile.simple([["Name", "Count"], ["东山村", 3]])
    check_workbook(data, max_rows=10)
    result, messages = _read(data)
    assert messages == [] and result.rows[0].values == {"name": "东山村", "count": 3}


def test_a_sheet_without_references_is_walked_element_by_element():
    """Cells without `r` are counted in order (the quick scan is unsure of them)."""
    header = b'<row><c t="inlineStr"><is><t>Name</t></is></c></row>'
    data = hostile.workbook(hostile.sheet_xml([header, b"<row><c><v>1</v></c></row>"]))
    check_workbook(data, max_rows=10)
    with pytest.raises(importing.reader.Refused):
        check_workbook(hostile.wide(201), max_rows=10)


# ---- through an import page ----


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_import_page_refuses_hostile_files(client_for, alice, storage, name):
    make, *words = REFUSED[name]
    client = client_for(alice)
    with translation.override("zh-hans"):
        response = client.post(
            reverse("regions:organisation_import"),
            {"file": SimpleUploadedFile("x.xlsx", make())},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    assert response.context["form"] is not None
    result = response.context["result"]
    assert not result.ok
    assert all(word in str(result.errors[0].message) for word in words)
    assert all(word in response.content.decode() for word in words)
    assert response.context["token"] == ""
    assert not Organisation.objects.exists()
    assert not any(storage.rglob("*.xlsx"))
