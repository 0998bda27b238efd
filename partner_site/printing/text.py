"""User text in ReportLab paragraphs: printed as typed, never read as markup.

ReportLab's `Paragraph` reads its text as markup (`<font>`, `<img src=...>`, `<a>`...): a workshop
title or a rejection reason passed as is could forge text, embed a file from the server's disk
or break the document. Every paragraph of every PDF is built here from plain text.
"""
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph


def paragraph(text: str, style) -> Paragraph:
    """Return a paragraph that shows `text` exactly as typed (markup characters escaped)."""
    return Paragraph(escape(str(text)), style)
