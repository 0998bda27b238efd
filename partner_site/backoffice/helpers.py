"""What the back-office routes share: loaders that 404, DomainError into form errors, CSV answers."""
from typing import Iterable

from flask import Response, abort, flash, redirect, stream_with_context
from flask_babel import gettext as _

from .. import csvfile
from ..domain.errors import DomainError
from ..extensions import db


def get_or_404(model, object_id: int):
    """Load an object by id or answer 404 (staff see every campaign, partner and reception point)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def form_error(form, err: DomainError) -> None:
    """Show a refusal next to the field it names, or as a message at the top of the page."""
    db.session.rollback()
    field = getattr(form, err.details.get("field", ""), None) if form is not None else None
    if field is not None:
        field.errors = [*field.errors, err.message] if isinstance(field.errors, list) else [err.message]
    else:
        flash(err.message, "error")


def _say(message, result) -> str:
    return message(result) if callable(message) else message


def submit(form, action, success, target):
    """For a valid form, run `action`, commit, flash `success` and redirect to `target` (callables get the
    action's result); return None to show the form again, with a refusal beside the field it names."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except DomainError as err:
        form_error(form, err)
        return None
    db.session.commit()
    flash(_say(success, result), "success")
    return redirect(_say(target, result))


def post_action(form, action, success, target: str):
    """Handle a form posted from a page and go back to it (Post/Redirect/Get), any refusal flashed there."""
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(target)
    try:
        result = action()
    except DomainError as err:
        form_error(None, err)
    else:
        db.session.commit()
        flash(_say(success, result), "success")
    return redirect(target)


def first_error(form) -> str:
    """Return the first validation message of a form, for a redirect back to the page that holds it."""
    for errors in form.errors.values():
        if errors:
            return errors[0] if isinstance(errors[0], str) else str(errors[0])
    return _("Formulaire invalide : vérifiez ce que vous avez saisi.")


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    """Stream a CSV file (UTF-8 with a BOM, so that spreadsheets read the accents; formulas neutralised)."""
    return Response(stream_with_context(csvfile.stream(header, rows)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def euros(cents: int | None) -> str:
    """Format cents as plain euros for a CSV cell: 1234.50."""
    cents = cents or 0
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def pdf_response(chunks: Iterable[bytes], filename: str) -> Response:
    return Response(stream_with_context(chunks), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
