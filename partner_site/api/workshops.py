import sqlalchemy as sa
from flask import jsonify
from flask_login import current_user

from ..domain import workshops as service
from ..extensions import db
from ..models import Workshop
from .common import iso, json_body, parse_datetime, partner_user_required
from . import bp


def workshop_json(w: Workshop) -> dict:
    return {
        "id": w.id,
        "title": w.title,
        "starts_at": iso(w.starts_at),
        "ends_at": iso(w.ends_at),
        "place": w.place,
        "commune_insee": w.commune_insee,
        "capacity": w.capacity,
        "tickets_per_participant": w.tickets_per_participant,
        "redeemed_count": w.redeemed_count,
        "cancelled": w.cancelled_at is not None,
    }


@bp.get("/workshops")
@partner_user_required
def list_workshops():
    """List the workshops of the user's own partner, newest first."""
    rows = db.session.execute(
        sa.select(Workshop).where(Workshop.partner_id == current_user.partner_id)
        .order_by(Workshop.starts_at.desc()).limit(200)
    ).scalars()
    return jsonify({"workshops": [workshop_json(w) for w in rows]})


@bp.post("/workshops")
@partner_user_required
def create_workshop():
    """Create a workshop for the user's own partner."""
    data = json_body()
    workshop = service.create_workshop(
        current_user,
        title=data.get("title"),
        starts_at=parse_datetime(data.get("starts_at"), "starts_at"),
        ends_at=parse_datetime(data.get("ends_at"), "ends_at"),
        place=data.get("place", ""),
        capacity=data.get("capacity"),
        tickets_per_participant=data.get("tickets_per_participant", 1),
        commune_insee=data.get("commune_insee"),
    )
    db.session.commit()
    return jsonify(workshop_json(workshop)), 201


@bp.get("/workshops/<int:workshop_id>/redemptions")
@partner_user_required
def workshop_redemptions(workshop_id: int):
    """List the live and voided redemptions at one of the user's partner's workshops."""
    from ..domain.redemption import voidable
    from .redemptions import redemption_json

    workshop = service.get_workshop(current_user, workshop_id)
    items = []
    for r in service.redemptions_at(workshop):
        body = redemption_json(r)
        body.update(status="voided" if r.voided_at else "accepted", voidable=voidable(current_user, r),
                    trainer=r.user.full_name or r.user.email)
        items.append(body)
    return jsonify({"workshop": workshop_json(workshop), "redemptions": items})
