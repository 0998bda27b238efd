"""The association's claims as JSON, for its own tools (managers only: trainers see no money)."""
from functools import wraps

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import claim_views
from ..domain.claims import get_partner_claim
from ..domain.errors import DomainError
from ..models import Role
from . import bp
from .common import iso, partner_user_required

LINES_PER_PAGE = 500


def manager_api_required(view):
    """Let through the partner's managers; trainers get a JSON 403."""

    @wraps(view)
    @partner_user_required
    def wrapper(*args, **kwargs):
        if current_user.role != Role.MANAGER:
            raise DomainError("forbidden", _("Réservé aux responsables de la structure."))
        return view(*args, **kwargs)

    return wrapper


def claim_json(claim) -> dict:
    return {
        "id": claim.id,
        "period": claim.period.strftime("%Y-%m"),
        "status": claim.status.value,
        "reference": claim.reference,
        "total_cents": claim.total_cents,
        "line_count": claim.line_count if claim.reference else claim_views.count_lines(claim.id),
        "rejected_count": claim.rejected_count,
        "submitted_at": iso(claim.submitted_at),
        "approved_at": iso(claim.approved_at),
        "paid_at": iso(claim.paid_at),
    }


def line_json(line) -> dict:
    return {
        "id": line.id,
        "kind": line.kind.value,
        "status": line.status.value,
        "amount_cents": line.amount_cents,
        "serial": line.serial or None,
        "workshop_id": line.workshop_id,
        "workshop_title": line.workshop_title,
        "trainer": line.trainer,
        "scanned_at": iso(line.scanned_at),
        "reject_reason": line.reject_reason,
        "label": line.label,
    }


@bp.get("/claims")
@manager_api_required
def list_claims():
    """List the claims of the user's own partner, newest month first."""
    return jsonify({"claims": [claim_json(c) for c in claim_views.partner_claims(current_user.partner_id, limit=120)]})


@bp.get("/claims/<int:claim_id>")
@manager_api_required
def get_claim(claim_id: int):
    """Describe one claim of the user's own partner with a page of its lines (`?page=`, 500 a page)."""
    claim = get_partner_claim(current_user, claim_id)
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise DomainError("bad_request", _("Paramètre page : entier positif attendu."), field="page")
    page = int(page)
    total = claim_views.count_lines(claim.id)
    lines = claim_views.lines(claim.id, page, per_page=LINES_PER_PAGE)
    return jsonify({**claim_json(claim), "lines": [line_json(line) for line in lines], "lines_total": total,
                    "page": page, "next_page": page + 1 if page * LINES_PER_PAGE < total else None})
