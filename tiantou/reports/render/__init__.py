"""Renderers of a report document: Word, PDF, Excel (its figures and tables) and plain text.

data = render(document, "docx")
FORMATS["docx"].content_type, FORMATS["docx"].extension
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..document import Document
from .docx import render_docx
from .markdown import render_md
from .pdf import render_pdf
from .xlsx import render_xlsx


@dataclass(frozen=True)
class Format:
    """A download format: its renderer, HTTP content type and file extension."""

    key: str
    content_type: str
    extension: str
    render: Callable[[Document, str], bytes]
    binary: bool = True


def _docx(document: Document, base_url: str) -> bytes:
    return render_docx(document)


def _pdf(document: Document, base_url: str) -> bytes:
    return render_pdf(document)


def _xlsx(document: Document, base_url: str) -> bytes:
    return render_xlsx(document, base_url=base_url)


def _md(document: Document, base_url: str) -> bytes:
    return render_md(document).encode()


FORMATS: dict[str, Format] = {
    "docx": Format(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        _docx,
    ),
    "pdf": Format("pdf", "application/pdf", "pdf", _pdf),
    "xlsx": Format(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        _xlsx,
    ),
    "md": Format("md", "text/markdown; charset=utf-8", "md", _md, binary=False),
}


def render(document: Document, fmt: str, base_url: str = "") -> bytes:
    """The document in a format of FORMATS (KeyError for any other); `base_url` makes the
    records links absolute where the format keeps them (Excel)."""
    return FORMATS[fmt].render(document, base_url)
