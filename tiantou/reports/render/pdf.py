"""A report as PDF: the web view's body (`reports/_document.html` without links) in a print
page (`reports/print.html`, A4 with the 公文 margins and "— 1 —" page numbers), laid out by
WeasyPrint with the CJK font the machine has (WenQuanYi Micro Hei, from fonts-wqy-microhei).
"""

from django.template.loader import render_to_string

from ..document import Document


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes."""
    # Imported here: WeasyPrint loads pango at import, which the web process never needs
    # unless someone downloads a PDF.
    from weasyprint import HTML

    html = render_to_string("reports/print.html", {"document": document})
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf
