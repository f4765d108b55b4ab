"""Build small .xlsx uploads for importer tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook


def xlsx_upload(rows, *, name="data.xlsx", extra_sheets=()) -> SimpleUploadedFile:
    """An uploaded .xlsx file whose first sheet holds `rows` (header first)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for title in extra_sheets:
        workbook.create_sheet(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())
