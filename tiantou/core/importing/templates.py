"""The .xlsx template of an importer: header, example row and an instructions sheet."""

import io
from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .columns import Column

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows of the template pre-formatted as text so that long codes keep their digits.
TEMPLATE_TEXT_ROWS = 500


def build_template(
    columns: list[Column], *, sheet_title: Any, instructions: Iterable[Any] = ()
) -> bytes:
    """An .xlsx template: header row, one example row, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(sheet_title)[:31]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=str(column.label))
        header.font = bold
        if column.required:
            header.fill = required_fill
        sheet.column_dimensions[letter].width = column.width
        value = column.example
        if isinstance(value, Promise):
            value = str(value)
        example = sheet.cell(row=2, column=index, value=value if value != "" else None)
        example.number_format = column.number_format
        for row in range(3, TEMPLATE_TEXT_ROWS + 2):
            sheet.cell(row=row, column=index).number_format = column.number_format
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 60
    notes.column_dimensions["D"].width = 24
    general = [
        _("Fill in the first sheet, one row per record, from row 2 on; keep the header row."),
        _("Replace or delete the example row before uploading."),
        _("Columns with a yellow header must be filled in."),
        _("The upload is checked first; nothing is saved until every row is correct."),
        *[str(line) for line in instructions],
    ]
    for line in general:
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("How to fill it in"), _("Example")])
    for cell in notes[notes.max_row]:
        cell.font = bold
    for column in columns:
        notes.append(
            [
                str(column.label),
                _("Yes") if column.required else _("No"),
                str(column.help),
                str(column.example),
            ]
        )
    for row in notes.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
