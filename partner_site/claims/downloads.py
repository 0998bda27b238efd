"""Statement downloads, shared by the association's pages and the staff's."""
from flask import Response

from ..domain.statements import statement_csv, statement_pdf


def _name(claim, extension: str) -> str:
    return f"bordereau-{claim.reference or claim.period.strftime('%Y-%m')}.{extension}"


def pdf_response(claim) -> Response:
    response = Response(statement_pdf(claim), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{_name(claim, "pdf")}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_response(claim) -> Response:
    response = Response(statement_csv(claim), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{_name(claim, "csv")}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
