"""Hostile spreadsheets, made by code rather than kept as files (issue 18).

Each function returns the bytes of an upload. The workbooks are written part by part
with `zipfile`, so that a test can say exactly what the file holds: a dimension of
A1:XFD1048576, a sheet that unzips to gigabytes, sizes that lie, a damaged zip.
`bench/hostile_files.py` makes the full-size ones and measures what reading them costs.
"""

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>%s</workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>%s</Relationships>'
)
SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHEET_CLOSE = b"</worksheet>"
MB = 1024 * 1024


def cell(ref: str, value: object) -> bytes:
    """One cell: a number, or an inline string."""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'.encode()
    text = escape(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def row(number: int, *cells: bytes) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>"


def sheet_xml(rows: Iterable[bytes], *, dimension: str | None = None) -> Iterator[bytes]:
    """A worksheet's XML in pieces: the declared dimension (if any) and the rows."""
    yield SHEET_OPEN
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData>"
    yield SHEET_CLOSE


def workbook(
    sheet: Iterable[bytes],
    *,
    workbook_extra: bytes = b"",
    rels_extra: bytes = b"",
    parts: dict[str, bytes] | None = None,
    level: int = 6,
) -> bytes:
    """An .xlsx file whose one sheet is `sheet` (pieces of XML, written as they come, so
    that a sheet of gigabytes is never in memory), with any further `parts`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK % workbook_extra)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS % rels_extra)
        for name, content in (parts or {}).items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for piece in sheet:
                part.write(piece)
    return buffer.getvalue()


def simple(rows: list[list[object]], **options) -> bytes:
    """A plain workbook holding `rows` from A1 (header first)."""
    letters = "ABCDEFGHIJ"
    return workbook(
        sheet_xml(
            row(n, *(cell(f"{letters[i]}{n}", v) for i, v in enumerate(values)))
            for n, values in enumerate(rows, start=1)
        ),
        **options,
    )


# ---- the hostile files ----


def far_cell(*, declared: bool = True) -> bytes:
    """One cell at XFD1048576, the last cell of a sheet (1.7 KB): calamine would set
    aside 1048576 × 16384 cells. With `declared`, the dimension says so too; without,
    only the cell does."""
    return workbook(
        sheet_xml(
            [row(1, cell("A1", "Name")), row(1_048_576, cell("XFD1048576", 1))],
            dimension="A1:XFD1048576" if declared else None,
        )
    )


def lying_dimension() -> bytes:
    """A sheet that declares A1:B2 but holds a cell at XFD1048576."""
    return workbook(
        sheet_xml(
            [row(1, cell("A1", "Name")), row(1_048_576, cell("XFD1048576", 1))],
            dimension="A1:B2",
        )
    )


def wide(columns: int = 300) -> bytes:
    """A header row `columns` cells wide, without their references (counted in order)."""
    header = b'<row r="1">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * columns + b"</row>"
    return workbook(sheet_xml([header]))


def bomb_pieces(size: int, header: list[str] | None = None) -> Iterator[bytes]:
    """A sheet XML of about `size` bytes: a header row, then one cell whose text is the
    same letter repeated, which deflate shrinks about a thousand times."""
    yield SHEET_OPEN + b"<sheetData>"
    names = header or ["Name"]
    yield row(1, *(cell(f"{chr(65 + i)}1", n) for i, n in enumerate(names)))
    yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    block = b"A" * MB
    for _ in range(max(size // MB, 1)):
        yield block
    yield b"</t></is></c></row></sheetData>" + SHEET_CLOSE


def zip_bomb(size: int = 8 * MB, header: list[str] | None = None) -> bytes:
    """A valid workbook whose sheet unzips to `size` bytes from a zip a thousand times
    smaller (the issue's 7.4 MB file held 1.95 GB). Tests use a few megabytes: refused
    for its ratio; the bench makes the gigabytes."""
    return workbook(bomb_pieces(size, header), level=9)


def lying_sizes(size: int = 8 * MB) -> bytes:
    """A zip bomb whose directory says its sheet is 1 000 bytes (and so compressed
    sanely): only counting while unzipping finds it out."""
    data = bytearray(zip_bomb(size))
    # The sheet's record in the central directory, the one zip readers follow: its
    # name is at offset 46, its uncompressed size at offset 24.
    record = data.rfind(b"xl/worksheets/sheet1.xml") - 46
    assert data[record : record + 4] == b"PK\x01\x02"
    assert struct.unpack_from("<L", data, record + 24)[0] != 0xFFFFFFFF
    struct.pack_into("<L", data, record + 24, 1000)
    return bytes(data)


def not_a_zip() -> bytes:
    """A web page saved as .xlsx."""
    return b"<html><body><table><tr><td>Name</td></tr></table></body></html>"


def truncated() -> bytes:
    """A workbook cut in the middle, as an interrupted download leaves it."""
    data = simple([["Name", "Count"], ["东山村", 3]])
    return data[: len(data) // 2]


def formula_and_external_link() -> bytes:
    """A formula reading another workbook through an external link: the cached value
    is read, nothing is fetched."""
    link = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships" r:id="rId1"/></externalLink>'
    )
    link_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/externalLinkPath" '
        b'Target="http://example.invalid/other.xlsx" TargetMode="External"/></Relationships>'
    )
    rows = [
        row(1, cell("A1", "Name"), cell("B1", "Count")),
        row(2, cell("A2", "东山村"), b'<c r="B2"><f>[1]Sheet1!A1</f><v>42</v></c>'),
        row(3, cell("A3", "西山村"), b'<c r="B3"><f>WEBSERVICE("http://example.invalid")</f></c>'),
    ]
    return workbook(
        sheet_xml(rows),
        workbook_extra=b'<externalReferences><externalReference r:id="rId9"/></externalReferences>',
        rels_extra=b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/externalLink" '
        b'Target="externalLinks/externalLink1.xml"/>',
        parts={
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        },
    )


def csv_with_nul_bytes() -> bytes:
    """A CSV file, NUL bytes and all, named .xlsx (or .csv)."""
    return b"Name,Count\n\x00\x00\xe4\xb8\x9c\x00,1\n"


def huge_string(characters: int = 100_000) -> bytes:
    """A cell holding more text than Excel keeps in one (32 767 characters)."""
    return simple([["Name", "Count"], ["长" * characters, 1]])


def entity_expansion() -> bytes:
    """A sheet with a document type defining entities (“billion laughs”)."""
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    return workbook(
        [
            doctype,
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>',
            b"</sheetData></worksheet>",
        ]
    )
