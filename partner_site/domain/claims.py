"""Claims seen by their association: load one (scoped), submit a finished month.

Redemptions join the open claim of their month by themselves (see `redemption._add_to_claim`);
the association submits a month once it is over. Submission numbers the claim without gaps,
marks its tickets claimed and runs the anomaly rules that the instructor will see.
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Claim, ClaimLine, ClaimStatus, LineKind, LineStatus, Ticket, TicketStatus, utcnow
from . import anomalies
from .clock import local_today
from .counters import claim_reference
from .errors import DomainError
from .locking import load_one, move
from .redemption import month_of, open_claim


def get_partner_claim(user, claim_id, for_update: bool = False) -> Claim:
    """Load a claim of the user's own partner: 404 for anyone else's (no existence leak)."""
    return load_one(Claim, claim_id, _("Demande de remboursement introuvable."), for_update,
                    Claim.partner_id == user.partner_id)


def current_period() -> date:
    return month_of(local_today())


def is_finished(claim: Claim) -> bool:
    """Say whether the claim's month is over (only then may it be submitted)."""
    return claim.period < current_period()


def current_open_claim_id(partner_id: int) -> int:
    """Return the partner's open claim for the current month, created if needed."""
    claim_id, status = open_claim(partner_id, current_period())
    if status != ClaimStatus.OPEN:  # the current month cannot be submitted: a broken invariant
        raise RuntimeError(f"claim {claim_id} of the current month is {status.value}")
    return claim_id


def mark_tickets(claim_ids, source: TicketStatus, target: TicketStatus, line_ids=None) -> int:
    """Move the tickets of the accepted redemption lines of `claim_ids` (or of `line_ids` only)."""
    lines = sa.select(ClaimLine.ticket_id).where(ClaimLine.kind == LineKind.REDEMPTION)
    if line_ids is not None:
        lines = lines.where(ClaimLine.id.in_(line_ids))
    else:
        lines = lines.where(ClaimLine.claim_id.in_(claim_ids), ClaimLine.status == LineStatus.ACCEPTED)
    moved = db.session.execute(
        sa.update(Ticket).where(Ticket.id.in_(lines), Ticket.status == source)
        .values(status=target, changed_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    expected = db.session.execute(sa.select(sa.func.count()).select_from(lines.subquery())).scalar_one()
    if moved != expected:  # a ticket not in the state its line says: stop before any money moves
        raise RuntimeError(f"{moved} of {expected} tickets moved from {source.value} to {target.value}")
    return moved


def submit(user, claim_id) -> Claim:
    """Send a finished month's claim to the département: numbered, tickets claimed, anomalies flagged."""
    claim = get_partner_claim(user, claim_id, for_update=True)
    if claim.status != ClaimStatus.OPEN:
        raise DomainError("not_submittable", _("Cette demande a déjà été envoyée."))
    if not is_finished(claim):
        raise DomainError("not_submittable", _("Le mois n'est pas terminé : vous pourrez envoyer cette demande "
                                               "à partir du 1er du mois suivant."))
    line_count = db.session.execute(
        sa.select(sa.func.count()).where(ClaimLine.claim_id == claim.id)).scalar_one()
    if line_count == 0:
        raise DomainError("not_submittable", _("Cette demande ne contient aucun ticket : rien à envoyer."))
    mark_tickets([claim.id], TicketStatus.REDEEMED, TicketStatus.CLAIMED)
    flagged = anomalies.flag_claim(claim.id)
    move(claim, ClaimStatus.SUBMITTED, user, reference=claim_reference(local_today().year), submitted_at=utcnow(),
         submitted_by_id=user.id, line_count=line_count, flagged_count=flagged)
    return claim
