"""Corrections after payment (adjustments): a debt counts at once, money added needs a second person.

An instructor corrects a paid claim by a line on the partner's open claim of the current month.
A negative line (an overpayment, a fraud found later) counts at once, as before. A positive line
raises what the département pays: it waits, counted nowhere (no claim total, batch or statement
total), until another instructor or finance officer approves it, and the database refuses it
counted otherwise (`ck_claim_lines_positive_adjustment_approved_by_another`). Positive corrections
of one claim stay within its ceiling: what the association asked for that month and was not paid
(its refused tickets, and what was taken back from it), and at most ADJUSTMENT_CAP_EUROS.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..formatting import money
from ..models import Claim, ClaimLine, ClaimStatus, LineKind, LineStatus, Role, record, utcnow
from .claims import current_open_claim_id
from .errors import DomainError
from .locking import load_one, locked, move

MAX_REASON = 300
DECIDERS = (Role.INSTRUCTOR, Role.FINANCE)  # who may approve money; never the adjustment's author


@dataclass
class Ceiling:
    """How much positive correction a paid claim may still receive, and why."""

    refused_cents: int  # its refused tickets' face value
    recovered_cents: int  # taken back from it by negative corrections
    cap_cents: int  # the absolute cap per claim (ADJUSTMENT_CAP_EUROS)
    used_cents: int  # positive corrections already approved or waiting

    @property
    def limit_cents(self) -> int:
        return min(self.refused_cents + self.recovered_cents, self.cap_cents)

    @property
    def left_cents(self) -> int:
        return max(self.limit_cents - self.used_cents, 0)


def ceiling(claim: Claim) -> Ceiling:
    """Return the ceiling of positive corrections of a paid claim, what is used and what is left."""
    refused = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(ClaimLine.amount_cents), 0)).where(
        ClaimLine.claim_id == claim.id, ClaimLine.kind == LineKind.REDEMPTION,
        ClaimLine.status == LineStatus.REJECTED)).scalar_one()
    against = (ClaimLine.adjusts_claim_id == claim.id, ClaimLine.kind == LineKind.ADJUSTMENT)
    # A debt carried forward is a pair: +x on the claim itself, -x on the next one. Counting the
    # claim's own positive line against its negative ones leaves only what was truly taken back.
    recovered = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(sa.case(
        (sa.and_(ClaimLine.amount_cents < 0, ClaimLine.claim_id != claim.id), -ClaimLine.amount_cents),
        (sa.and_(ClaimLine.amount_cents > 0, ClaimLine.claim_id == claim.id), -ClaimLine.amount_cents),
        else_=0)), 0)).where(*against)).scalar_one()
    used = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(ClaimLine.amount_cents), 0)).where(
        *against, ClaimLine.amount_cents > 0, ClaimLine.claim_id != claim.id,
        ClaimLine.status.in_([LineStatus.ACCEPTED, LineStatus.PENDING]))).scalar_one()
    return Ceiling(int(refused), int(recovered), int(current_app.config["ADJUSTMENT_CAP_EUROS"]) * 100, int(used))


def add_adjustment(user, partner_id: int, cents: int, label: str, adjusts_claim_id: int,
                   status: LineStatus = LineStatus.ACCEPTED) -> ClaimLine:
    """Put an adjustment line on the partner's open claim of the current month (counted if accepted)."""
    claim_id = current_open_claim_id(partner_id)
    if status == LineStatus.ACCEPTED:
        raised = db.session.execute(
            sa.update(Claim).where(Claim.id == claim_id, Claim.status == ClaimStatus.OPEN)
            .values(total_cents=Claim.total_cents + cents).execution_options(synchronize_session=False)).rowcount
        if not raised:
            raise RuntimeError(f"claim {claim_id} is no longer open")
    line = ClaimLine(claim_id=claim_id, kind=LineKind.ADJUSTMENT, amount_cents=cents, label=label[:300],
                     adjusts_claim_id=adjusts_claim_id, created_by_id=user.id, status=status)
    db.session.add(line)
    db.session.flush()
    record(user, "claim.adjusted" if status == LineStatus.ACCEPTED else "claim.adjustment_proposed", line,
           object_type="claim", object_id=adjusts_claim_id,
           after={"amount_cents": cents, "label": label, "carried_to_claim": claim_id, "status": status.value})
    return line


def _clean_reason(reason, message: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError("bad_request", message, field="reason")
    return reason.strip()[:MAX_REASON]


def correct_paid_claim(user, claim_id, cents, reason) -> ClaimLine:
    """Correct a paid claim by a line on the partner's next claim: a debt at once, money added once approved."""
    claim = load_one(Claim, claim_id, _("Demande de remboursement introuvable."), True)  # one correction at a time
    if claim.status != ClaimStatus.PAID:
        raise DomainError("bad_request", _("Seule une demande payée se corrige par un ajustement ; "
                                           "avant paiement, refusez les tickets concernés."))
    if not isinstance(cents, int) or isinstance(cents, bool) or cents == 0:
        raise DomainError("bad_request", _("Indiquez un montant non nul (négatif pour un trop-perçu)."),
                          field="amount")
    if -cents > claim.total_cents:
        raise DomainError("bad_request", _("Un trop-perçu ne peut dépasser le montant payé (%(total)s).",
                                           total=money(claim.total_cents)), field="amount")
    reason = _clean_reason(reason, _("Indiquez le motif de l'ajustement."))
    if cents > 0:
        room = ceiling(claim)
        if cents > room.left_cents:
            raise DomainError("bad_request", _(
                "Au-delà du plafond de cette demande : %(left)s au plus (plafond %(limit)s, dont %(used)s déjà "
                "approuvés ou en attente).", left=money(room.left_cents), limit=money(room.limit_cents),
                used=money(room.used_cents)), field="amount")
    label = _("Ajustement de la demande %(ref)s : %(reason)s", ref=claim.reference, reason=reason)
    return add_adjustment(user, claim.partner_id, cents, label, adjusts_claim_id=claim.id,
                          status=LineStatus.ACCEPTED if cents < 0 else LineStatus.PENDING)


def _pending(line_id) -> tuple[ClaimLine, Claim]:
    """Load a pending adjustment and lock the claim it sits on (its total may change)."""
    line = load_one(ClaimLine, line_id, _("Ajustement introuvable."), False, ClaimLine.kind == LineKind.ADJUSTMENT)
    claim = db.session.execute(locked(sa.select(Claim).where(Claim.id == line.claim_id))).scalar_one()
    db.session.refresh(line)
    if line.status != LineStatus.PENDING:
        raise DomainError("bad_request", _("Cet ajustement a déjà été approuvé ou refusé. Rechargez la page."))
    return line, claim


def approve_adjustment(user, line_id) -> ClaimLine:
    """Approve a pending positive adjustment as a second staff member: it counts from now on."""
    if getattr(user, "role", None) not in DECIDERS:
        raise DomainError("forbidden", _("Seuls les instructeurs et les payeurs approuvent un ajustement."))
    line, claim = _pending(line_id)
    if line.created_by_id == user.id:
        raise DomainError("forbidden", _("Vous avez proposé cet ajustement : une autre personne doit l'approuver."))
    if claim.status not in (ClaimStatus.OPEN, ClaimStatus.SUBMITTED):  # approval waits for it, see review.approve
        raise RuntimeError(f"pending adjustment {line.id} on claim {claim.id} which is {claim.status.value}")
    move(line, LineStatus.ACCEPTED, user, approved_by_id=user.id, approved_at=utcnow())
    db.session.execute(sa.update(Claim).where(Claim.id == claim.id).values(total_cents=Claim.total_cents
                                                                          + line.amount_cents))
    db.session.refresh(claim)
    return line


def refuse_adjustment(user, line_id, reason) -> ClaimLine:
    """Refuse a pending adjustment (or withdraw one's own): it never counts."""
    if getattr(user, "role", None) not in DECIDERS:
        raise DomainError("forbidden", _("Seuls les instructeurs et les payeurs décident d'un ajustement."))
    reason = _clean_reason(reason, _("Indiquez le motif du refus."))
    line, _claim = _pending(line_id)
    move(line, LineStatus.REJECTED, user, reason=reason, reject_reason=reason)
    return line


def pending_on(claim_id: int) -> int:
    """Count the adjustments of a claim that wait for their second approval."""
    return db.session.execute(sa.select(sa.func.count()).where(
        ClaimLine.claim_id == claim_id, ClaimLine.status == LineStatus.PENDING)).scalar_one()


def against(claim_id: int) -> list[ClaimLine]:
    """Return the corrections recorded against a claim, newest first (for its review page)."""
    return list(db.session.execute(sa.select(ClaimLine).where(
        ClaimLine.adjusts_claim_id == claim_id, ClaimLine.kind == LineKind.ADJUSTMENT,
        ClaimLine.claim_id != claim_id).order_by(ClaimLine.id.desc())).scalars())


def waiting(limit: int = 200) -> list[ClaimLine]:
    """Return the adjustments waiting for a second approval, oldest first, with their claims."""
    return list(db.session.execute(sa.select(ClaimLine).where(ClaimLine.status == LineStatus.PENDING)
                                   .options(sa.orm.joinedload(ClaimLine.adjusts_claim).joinedload(Claim.partner),
                                            sa.orm.joinedload(ClaimLine.created_by))
                                   .order_by(ClaimLine.id).limit(limit)).scalars())
