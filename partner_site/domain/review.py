"""The instructor's review: reject chosen lines with a reason, approve (corrections: see `adjustments`).

Instructors approve, finance staff pay: the domain refuses that one person does both to one
claim (and the database refuses it too, see `ck_claims_approver_does_not_pay`).
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Claim, ClaimLine, ClaimStatus, LineKind, LineStatus, TicketStatus, utcnow
from . import adjustments, notifications
from .claims import mark_tickets
from .errors import DomainError
from .locking import load_one, move
from .payments import seal

MAX_REASON = 300


def get_claim(claim_id, for_update: bool = False) -> Claim:
    """Load any claim for staff (staff see every partner's claims)."""
    return load_one(Claim, claim_id, _("Demande de remboursement introuvable."), for_update)


def _reviewable(claim: Claim) -> None:
    if claim.status != ClaimStatus.SUBMITTED:
        raise DomainError("not_reviewable", _("Cette demande n'est plus à instruire (elle est déjà approuvée)."))


def _clean_reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError("bad_request", _("Indiquez le motif du refus : l'association le verra."), field="reason")
    return reason.strip()[:MAX_REASON]


def _lines_of(claim: Claim, line_ids, status: LineStatus) -> list[ClaimLine]:
    if not line_ids or not all(isinstance(i, int) for i in line_ids):
        raise DomainError("bad_request", _("Cochez au moins un ticket."), field="lines")
    found = db.session.execute(sa.select(ClaimLine).where(
        ClaimLine.id.in_(set(line_ids)), ClaimLine.claim_id == claim.id, ClaimLine.kind == LineKind.REDEMPTION,
        ClaimLine.status == status)).scalars().all()
    if len(found) != len(set(line_ids)):
        raise DomainError("bad_request", _("Certains tickets cochés ne font pas partie de cette demande "
                                           "ou ont déjà été traités. Rechargez la page."), field="lines")
    return found


def reject_lines(user, claim_id, line_ids, reason) -> list[ClaimLine]:
    """Reject chosen redemption lines of a submitted claim; their tickets go back to redeemed."""
    claim = get_claim(claim_id, for_update=True)
    _reviewable(claim)
    reason = _clean_reason(reason)
    lines = _lines_of(claim, line_ids, LineStatus.ACCEPTED)
    mark_tickets(None, TicketStatus.CLAIMED, TicketStatus.REDEEMED, line_ids=[line.id for line in lines])
    for line in lines:
        move(line, LineStatus.REJECTED, user, reason=reason, reject_reason=reason)
    _move_total(claim, -sum(line.amount_cents for line in lines), rejected=len(lines))
    db.session.flush()
    return lines


def reinstate_lines(user, claim_id, line_ids) -> list[ClaimLine]:
    """Undo a rejection before approval: the lines count again and their tickets are claimed."""
    claim = get_claim(claim_id, for_update=True)
    _reviewable(claim)
    lines = _lines_of(claim, line_ids, LineStatus.REJECTED)
    mark_tickets(None, TicketStatus.REDEEMED, TicketStatus.CLAIMED, line_ids=[line.id for line in lines])
    for line in lines:
        move(line, LineStatus.ACCEPTED, user, reject_reason=None)
    _move_total(claim, sum(line.amount_cents for line in lines), rejected=-len(lines))
    db.session.flush()
    return lines


def _move_total(claim: Claim, cents: int, rejected: int = 0, lines: int = 0) -> None:
    """Change a claim's total and counters in the database (conditional arithmetic, no lost update)."""
    db.session.execute(sa.update(Claim).where(Claim.id == claim.id).values(
        total_cents=Claim.total_cents + cents, rejected_count=Claim.rejected_count + rejected,
        line_count=Claim.line_count + lines).execution_options(synchronize_session=False))
    db.session.refresh(claim)


def approve(user, claim_id) -> Claim:
    """Approve a submitted claim as it stands and tell the association.

    A negative total (adjustments larger than the month) is carried to the partner's next claim;
    a total of zero leaves nothing to transfer, so the claim is settled at once.
    """
    claim = get_claim(claim_id, for_update=True)
    _reviewable(claim)
    if adjustments.pending_on(claim.id):
        raise DomainError("not_reviewable", _("Un ajustement de cette demande attend sa seconde approbation : "
                                              "faites-le approuver ou refuser (page « Ajustements ») avant "
                                              "d'approuver la demande."))
    if claim.total_cents < 0:
        _carry_forward(user, claim)
    move(claim, ClaimStatus.APPROVED, user, approved_at=utcnow(), approved_by_id=user.id)
    notifications.claim_reviewed(claim)
    if claim.total_cents == 0:
        mark_tickets([claim.id], TicketStatus.CLAIMED, TicketStatus.PAID)
        move(claim, ClaimStatus.PAID, user, reason="nothing to transfer", paid_at=utcnow())
        seal(claim)
    return claim


def _carry_forward(user, claim: Claim) -> None:
    debt = -claim.total_cents
    label = _("Solde négatif reporté de la demande %(ref)s", ref=claim.reference)
    adjustments.add_adjustment(user, claim.partner_id, -debt, label, adjusts_claim_id=claim.id)
    db.session.add(ClaimLine(claim_id=claim.id, kind=LineKind.ADJUSTMENT, amount_cents=debt, created_by_id=user.id,
                             label=_("Solde reporté sur la prochaine demande"), adjusts_claim_id=claim.id))
    db.session.flush()
    _move_total(claim, debt, lines=1)
