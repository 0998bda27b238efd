"""Downloads: statements (for the association's pages and the staff's) and other generated files."""
from flask import Response

from ..domain.statements import statement_csv, statement_pdf


def _name(claim, extension: str) -> str:
    return f"bordereau-{claim.reference or claim.period.strftime('%Y-%m')}.{extension}"


def file_response(body, mimetype: str, filename: str, inline: bool = False) -> Response:
    """Answer a generated file, kept out of shared caches (it holds money and bank details)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(claim) -> Response:
    return file_response(statement_pdf(claim), "application/pdf", _name(claim, "pdf"), inline=True)


def csv_response(claim) -> Response:
    return file_response(statement_csv(claim), "text/csv; charset=utf-8", _name(claim, "csv"))
