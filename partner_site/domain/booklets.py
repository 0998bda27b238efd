"""Booklets: issue within budget, hand out (activating tickets), oppose (lost or stolen)."""
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    Booklet,
    BookletStatus,
    Campaign,
    Ticket,
    TicketStatus,
    change_status,
    record,
    utcnow,
)
from . import codes
from .errors import DomainError


def generate(actor, campaign: Campaign, count: int, reception_point_id: int | None = None) -> list[Booklet]:
    """Issue `count` booklets for a campaign, refusing anything beyond its budget."""
    if not isinstance(count, int) or count < 1 or count > 100_000:
        raise DomainError("bad_request", _("Nombre de carnets invalide (1 à 100 000)."))
    cost = count * campaign.booklet_size * campaign.face_value_cents
    reserved = db.session.execute(
        sa.update(Campaign).where(Campaign.id == campaign.id, Campaign.issued_cents + cost <= Campaign.budget_cents)
        .values(issued_cents=Campaign.issued_cents + cost).execution_options(synchronize_session=False)
    ).rowcount
    if not reserved:
        raise DomainError("over_budget", _("Budget insuffisant : ces carnets dépasseraient le budget de la campagne."))
    first = (db.session.execute(sa.select(sa.func.max(Booklet.number))).scalar() or 0) + 1
    now = utcnow()
    booklet_rows = [{"campaign_id": campaign.id, "number": n, "serial": codes.booklet_serial(n),
                     "status": BookletStatus.ISSUED, "reception_point_id": reception_point_id, "created_at": now}
                    for n in range(first, first + count)]
    db.session.execute(sa.insert(Booklet), booklet_rows)
    ids = dict(db.session.execute(
        sa.select(Booklet.number, Booklet.id).where(Booklet.number.between(first, first + count - 1))).all())
    ticket_rows = [{"booklet_id": ids[n], "campaign_id": campaign.id, "number": n * 100 + i,
                    "status": TicketStatus.ISSUED, "changed_at": now}
                   for n in range(first, first + count) for i in range(1, campaign.booklet_size + 1)]
    for start in range(0, len(ticket_rows), 5000):
        db.session.execute(sa.insert(Ticket), ticket_rows[start:start + 5000])
    record(actor, "booklets.generated", campaign, after={"count": count, "first": first, "cost_cents": cost})
    db.session.expire(campaign)
    return list(db.session.execute(
        sa.select(Booklet).where(Booklet.number.between(first, first + count - 1)).order_by(Booklet.number)
    ).scalars())


def by_serial(serial: str) -> Booklet:
    """Load a booklet by its printed serial, refusing typos and unknown serials."""
    try:
        number = codes.parse_serial(serial, length=8)
    except codes.CodeError:
        raise DomainError("bad_request", _("Numéro de carnet invalide : %(serial)s.", serial=serial)) from None
    booklet = db.session.execute(sa.select(Booklet).where(Booklet.number == number)).scalar_one_or_none()
    if booklet is None:
        raise DomainError("not_found", _("Carnet introuvable : %(serial)s.", serial=serial))
    return booklet


def distribute(actor, booklet: Booklet) -> Booklet:
    """Hand a booklet out: its tickets become active and can be redeemed."""
    if booklet.status != BookletStatus.ISSUED:
        raise DomainError("bad_request", _("Le carnet %(serial)s a déjà été remis ou est en opposition.",
                                           serial=booklet.serial))
    now = utcnow()
    change_status(booklet, BookletStatus.DISTRIBUTED, actor)
    booklet.distributed_at = now
    db.session.execute(
        sa.update(Ticket).where(Ticket.booklet_id == booklet.id, Ticket.status == TicketStatus.ISSUED)
        .values(status=TicketStatus.ACTIVE, activated_at=now, changed_at=now)
        .execution_options(synchronize_session=False))
    return booklet


def hand_out(actor, booklet: Booklet, today: date) -> Booklet:
    """Hand out a booklet in stock whose campaign runs today (what reception points and the CLI do)."""
    if booklet.status != BookletStatus.ISSUED:
        raise DomainError("bad_request", _("Le carnet %(serial)s n'est pas en stock.", serial=booklet.serial))
    if not booklet.campaign.starts_on <= today <= booklet.campaign.ends_on:
        raise DomainError("bad_request", _("Le carnet %(serial)s appartient à une campagne qui n'est pas en cours.",
                                           serial=booklet.serial))
    return distribute(actor, booklet)


def oppose(actor, booklet: Booklet, reason: str) -> int:
    """Declare a booklet lost or stolen: its unused tickets are refused from now on."""
    if not reason or not reason.strip() or len(reason.strip()) > 300:
        raise DomainError("bad_request", _("Indiquez le motif de l'opposition (300 caractères au plus)."),
                          field="reason")
    if booklet.status == BookletStatus.CANCELLED:
        raise DomainError("bad_request", _("Le carnet %(serial)s est déjà en opposition.", serial=booklet.serial))
    now = utcnow()
    change_status(booklet, BookletStatus.CANCELLED, actor, reason=reason)
    booklet.cancelled_at, booklet.cancel_reason = now, reason.strip()
    return db.session.execute(
        sa.update(Ticket).where(Ticket.booklet_id == booklet.id,
                                Ticket.status.in_([TicketStatus.ISSUED, TicketStatus.ACTIVE]))
        .values(status=TicketStatus.CANCELLED, cancelled_at=now, cancel_reason=reason.strip(), changed_at=now)
        .execution_options(synchronize_session=False)).rowcount


def ticket_status(ticket_status_value: TicketStatus, campaign: Campaign, today: date) -> TicketStatus:
    """Return the status to show: an unused ticket past its campaign's grace period is expired."""
    if ticket_status_value in (TicketStatus.ISSUED, TicketStatus.ACTIVE) and today > campaign.valid_until:
        return TicketStatus.EXPIRED
    return ticket_status_value


def ticket_code(number: int) -> str:
    """Return the signed code of a ticket with the active key."""
    kid, key = current_app.extensions["keyring"].signing_key()
    return codes.encode_code(key, kid, number)


def ticket_check_code(number: int) -> str:
    return codes.check_code(current_app.extensions["keyring"].check_code_secret(), number)
