"""Offline scanning: the revocation list a phone keeps, and the batch upload of offline scans."""
from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import redemption as service
from ..domain import sync
from ..domain.errors import DomainError, Refusal
from ..extensions import db, limiter
from ..limits import limit_typed_check_codes, typed_in_items, user_key
from ..models import utcnow
from . import bp
from .common import json_body, only_keys, parse_datetime, partner_user_required
from .redemptions import SCAN_KEYS, redemption_json

MAX_BATCH = 100
BATCH_KEYS = frozenset({"items"})


@bp.get("/sync/revocations")
@partner_user_required
def revocations():
    """Tickets a phone must refuse offline (and those active again), changed since `cursor`."""
    result = sync.revocations(request.args.get("cursor"))
    return jsonify({"blocked": result.blocked, "unblocked": result.unblocked, "cursor": result.cursor,
                    "complete": result.complete, "encoding": "runs"})


@bp.get("/sync/campaigns")
@partner_user_required
def campaigns():
    """Ticket-number ranges of valid campaigns and their validity days (Europe/Paris), for offline checks."""
    return jsonify({"campaigns": sync.campaign_ranges(), "timezone": current_app.config["TIMEZONE"]})


@bp.post("/redemptions/batch")
@partner_user_required
@limiter.limit("30 per minute", key_func=user_key)
@limit_typed_check_codes(typed_in_items)
def redemption_batch():
    """Upload scans made offline; each item is answered as `POST /redemptions` would answer it."""
    items = json_body(BATCH_KEYS).get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise DomainError("bad_request", _("Envoyez une liste « items » de 1 à %(max)s scans.", max=MAX_BATCH))
    now = utcnow()
    results = []
    for item in items:
        results.append(_one(item, now))
    return jsonify({"results": results})


def _one(item, now) -> dict:
    """Redeem one offline scan in its own transaction, so one refusal never undoes another item."""
    nonce = item.get("nonce") if isinstance(item, dict) else None
    try:
        if not isinstance(item, dict):
            raise DomainError("bad_request", _("Chaque scan doit être un objet JSON."))
        only_keys(item, SCAN_KEYS)
        scanned_at = parse_datetime(item.get("scanned_at"), "scanned_at")
        scan = service.ScanRequest(workshop_id=item.get("workshop_id"), nonce=nonce, code=item.get("code"),
                                   serial=item.get("serial"), check_code=item.get("check_code"),
                                   scanned_at=scanned_at, offline=True)
        outcome = service.redeem(current_user, scan, now=now)
        body = redemption_json(outcome.redemption)
        db.session.commit()
        return {"nonce": nonce, "status": 200 if outcome.replayed else 201, "body": body}
    except DomainError as err:
        db.session.commit() if isinstance(err, Refusal) else db.session.rollback()
        return {"nonce": nonce, "status": err.http_status, "body": err.to_dict()}
