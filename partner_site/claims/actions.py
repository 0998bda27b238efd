"""How the claims, review and finance pages run a change: one domain call, one commit, a message."""
from flask import flash, redirect

from ..domain import notifications
from ..domain.errors import DomainError
from ..extensions import db


def run(action, success: str, back, failure_to: str | None = None, notify: bool = False):
    """Run `action`; commit and flash `success`, or roll back and flash the refusal; redirect.

    `back` is where to go next: a URL, or a function of the action's result giving one. A
    refusal changes nothing (rolled back) and sends the person to `failure_to` (default: `back`),
    where the French message says what to do. With `notify`, messages the change queued in the
    outbox are e-mailed once it is committed (when SMTP is configured).
    """
    try:
        result = action()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(failure_to or back)
    db.session.commit()
    if notify:
        notifications.deliver_pending()
    flash(success, "success")
    return redirect(back(result) if callable(back) else back)


def form_errors(form) -> None:
    """Flash a form's validation errors (the page is then shown again by a redirect)."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def page_arg(request) -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1
