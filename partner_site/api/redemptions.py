from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import redemption as service
from ..domain.codes import format_serial, ticket_serial
from ..domain.workshops import live_count
from ..extensions import db, limiter
from ..limits import limit_typed_check_codes, typed_in_body, user_key
from .common import iso, json_body, parse_datetime, partner_user_required
from . import bp


# What one scan carries, online or in an offline batch's item; any other key is refused.
SCAN_KEYS = frozenset({"workshop_id", "nonce", "code", "serial", "check_code", "scanned_at"})


def redemption_json(redemption) -> dict:
    """Describe a redemption with what never changes, so a replay returns the same body."""
    serial = ticket_serial(redemption.ticket_number)
    return {
        "id": redemption.id,
        "status": "accepted",
        "message": _("Ticket %(serial)s accepté.", serial=format_serial(serial)),
        "serial": serial,
        "workshop_id": redemption.workshop_id,
        "amount_cents": redemption.amount_cents,
        "redeemed_at": iso(redemption.redeemed_at),
        "scanned_at": iso(redemption.scanned_at),
        "offline": redemption.offline,
    }


def scan_answer(redemption, **overrides) -> dict:
    """Add what a scan page shows next: can it still be undone, and the workshop's count now.

    A redemption just accepted knows both already; a replayed or voided one reads them (after
    the commit, so the write lock is not held for them). The redemption's own fields are those
    of the first answer; these two are live.
    """
    if isinstance(redemption, service.Accepted):
        live = {"voidable": redemption.voidable, "workshop_count": redemption.workshop_count}
    else:
        live = {"voidable": service.voidable(current_user, redemption),
                "workshop_count": live_count(redemption.workshop_id)}
    return {**redemption_json(redemption), **overrides, **live}


def scan_from_json(data: dict, offline: bool = False) -> service.ScanRequest:
    scanned_at = parse_datetime(data["scanned_at"], "scanned_at") if data.get("scanned_at") is not None else None
    return service.ScanRequest(
        workshop_id=data.get("workshop_id"), nonce=data.get("nonce"), code=data.get("code"),
        serial=data.get("serial"), check_code=data.get("check_code"),
        scanned_at=scanned_at if offline else None, offline=offline,
    )


@bp.post("/redemptions")
@partner_user_required
@limiter.limit("240 per minute", key_func=user_key)
@limit_typed_check_codes(typed_in_body)
def create_redemption():
    """Accept one ticket: 201 when accepted, 200 for a replayed nonce, 4xx with a reason otherwise."""
    outcome = service.redeem(current_user, scan_from_json(json_body(SCAN_KEYS)))
    if not outcome.replayed:
        db.session.commit()  # before building the answer: the write lock is held no longer than needed
    return jsonify(scan_answer(outcome.redemption)), 200 if outcome.replayed else 201


@bp.delete("/redemptions/<int:redemption_id>")
@partner_user_required
def void_redemption(redemption_id: int):
    """Undo a redemption made today by the user's own partner, while its claim is open."""
    redemption = service.void(current_user, redemption_id)
    body = scan_answer(redemption, status="voided", voided_at=iso(redemption.voided_at),
                       message=_("Validation du ticket %(serial)s annulée.",
                                 serial=format_serial(ticket_serial(redemption.ticket.number))))
    db.session.commit()
    return jsonify(body)
