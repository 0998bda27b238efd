"""Opposition on a single ticket (the booklet-wide one is `booklets.oppose`)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Ticket, TicketStatus, record, utcnow
from . import codes
from .errors import DomainError


def ticket_by_serial(serial: str) -> Ticket:
    """Load a ticket by its printed serial, refusing typos and unknown serials."""
    try:
        number = codes.parse_serial(serial)
    except codes.CodeError:
        raise DomainError("bad_request", _("Numéro de ticket invalide : %(serial)s.", serial=serial)) from None
    ticket = db.session.execute(sa.select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
    if ticket is None:
        raise DomainError("not_found", _("Ticket introuvable : %(serial)s.", serial=serial))
    return ticket


def oppose_ticket(actor, ticket: Ticket, reason: str) -> Ticket:
    """Declare one ticket lost or stolen: refused from now on, if it was not used already."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise DomainError("bad_request", _("Indiquez le motif de l'opposition (300 caractères au plus)."),
                          field="reason")
    now = utcnow()
    before = ticket.status
    done = db.session.execute(
        sa.update(Ticket).where(Ticket.id == ticket.id, Ticket.status.in_([TicketStatus.ISSUED, TicketStatus.ACTIVE]))
        .values(status=TicketStatus.CANCELLED, cancelled_at=now, cancel_reason=reason, changed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not done:
        raise DomainError("bad_request", _("Le ticket %(serial)s n'est plus utilisable (déjà validé, en opposition ou "
                                           "expiré) : l'opposition est sans objet.", serial=ticket.serial))
    record(actor, "ticket.cancelled", ticket, before={"status": before.value},
           after={"status": TicketStatus.CANCELLED.value, "reason": reason})
    db.session.refresh(ticket)
    return ticket
