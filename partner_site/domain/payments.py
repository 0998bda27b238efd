"""Payment batches: finance staff pay approved claims together, to validated bank accounts.

Build a batch (claims go in_batch, one payment per claim to the account validated now), export
its SEPA file, then record it executed (claims paid and sealed, tickets paid) or cancel it
(claims approved again). Whoever approved a claim cannot put it in a batch or pay it.
"""
import hashlib
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    BankAccount,
    BankAccountStatus,
    BatchStatus,
    Claim,
    ClaimLine,
    ClaimStatus,
    Partner,
    Payment,
    PaymentBatch,
    TicketStatus,
    record,
    utcnow,
)
from . import notifications
from .bank import payable_partner_ids
from .claims import mark_tickets
from .clock import local_today
from .counters import batch_reference
from .errors import DomainError
from .locking import load_one, locked, move

MAX_CLAIMS = 5000  # a SEPA file of this size is still accepted by every French bank


DIGEST_COLUMNS = (ClaimLine.id, ClaimLine.kind, ClaimLine.amount_cents, ClaimLine.status, ClaimLine.ticket_id)


def digest_of(lines, total_cents: int) -> str:
    """Hash what a paid claim consists of: its lines (id, kind, amount, status, ticket), by id, and total."""
    digest = hashlib.sha256()
    for line_id, kind, amount, status, ticket_id in lines:
        digest.update(f"{line_id}|{kind.value}|{amount}|{status.value}|{ticket_id}\n".encode())
    digest.update(f"total|{total_cents}".encode())
    return digest.hexdigest()


def claim_digest(claim_id: int) -> str:
    lines = db.session.execute(sa.select(*DIGEST_COLUMNS).where(ClaimLine.claim_id == claim_id)
                               .order_by(ClaimLine.id)).all()
    total = db.session.execute(sa.select(Claim.total_cents).where(Claim.id == claim_id)).scalar_one()
    return digest_of(lines, total)


def seal(claim: Claim) -> None:
    """Record the digest of a claim that has just been paid (checked by `claims check`)."""
    claim.sealed_digest = claim_digest(claim.id)
    db.session.flush()


def payable_claims():
    """Return the approved claims that can go into a batch now, oldest approval first."""
    return db.session.execute(
        sa.select(Claim).join(Partner, Partner.id == Claim.partner_id)
        .where(Claim.status == ClaimStatus.APPROVED, Claim.partner_id.in_(payable_partner_ids()))
        .options(sa.orm.contains_eager(Claim.partner)).order_by(Claim.approved_at, Claim.id).limit(MAX_CLAIMS)
    ).scalars().all()


def held_claims():
    """Return the approved claims held back, each with why: no validated account, or a change waiting."""
    pending = set(db.session.execute(sa.select(BankAccount.partner_id).where(
        BankAccount.status == BankAccountStatus.PENDING)).scalars())
    claims = db.session.execute(
        sa.select(Claim).join(Partner, Partner.id == Claim.partner_id)
        .where(Claim.status == ClaimStatus.APPROVED, Claim.partner_id.not_in(payable_partner_ids()))
        .options(sa.orm.contains_eager(Claim.partner)).order_by(Claim.approved_at, Claim.id).limit(500)
    ).scalars().all()
    return [(c, _("Nouvelles coordonnées bancaires à valider") if c.partner_id in pending
             else _("Aucun compte bancaire validé")) for c in claims]


def get_batch(batch_id, for_update: bool = False) -> PaymentBatch:
    return load_one(PaymentBatch, batch_id, _("Lot de paiement introuvable."), for_update)


def _not_the_approver(user, claims) -> None:
    mine = [c.reference for c in claims if c.approved_by_id == user.id]
    if mine:
        raise DomainError("forbidden", _("Vous avez approuvé %(refs)s : une autre personne doit les payer.",
                                         refs=", ".join(mine)))


def build_batch(user, claim_ids, requested_on: date) -> PaymentBatch:
    """Put chosen approved claims into a new batch, each paid to its partner's validated account."""
    if not claim_ids or not all(isinstance(i, int) for i in claim_ids) or len(set(claim_ids)) > MAX_CLAIMS:
        raise DomainError("bad_request", _("Cochez au moins une demande approuvée."), field="claims")
    if not isinstance(requested_on, date) or requested_on < local_today():
        raise DomainError("bad_request", _("La date d'exécution demandée ne peut pas être passée."),
                          field="requested_on")
    claims = db.session.execute(locked(sa.select(Claim).where(Claim.id.in_(set(claim_ids))).order_by(Claim.id))
                                ).scalars().all()
    if len(claims) != len(set(claim_ids)) or any(c.status != ClaimStatus.APPROVED for c in claims):
        raise DomainError("bad_request", _("Certaines demandes cochées ne sont plus à payer. Rechargez la page."))
    _not_the_approver(user, claims)
    accounts = {a.partner_id: a for a in db.session.execute(sa.select(BankAccount).where(
        BankAccount.partner_id.in_({c.partner_id for c in claims}),
        BankAccount.partner_id.in_(payable_partner_ids()),
        BankAccount.status == BankAccountStatus.VALIDATED)).scalars()}
    held = [c.reference for c in claims if c.partner_id not in accounts]
    if held:
        raise DomainError("bank_details_held", _("Paiement bloqué pour %(refs)s : coordonnées bancaires absentes "
                                                 "ou en attente de validation.", refs=", ".join(held)))
    batch = PaymentBatch(reference=batch_reference(local_today().year), status=BatchStatus.DRAFT,
                         created_by_id=user.id, total_cents=sum(c.total_cents for c in claims),
                         claim_count=len(claims), requested_on=requested_on)
    db.session.add(batch)
    db.session.flush()
    for claim in claims:
        db.session.add(Payment(batch_id=batch.id, claim_id=claim.id, partner_id=claim.partner_id,
                               bank_account_id=accounts[claim.partner_id].id, amount_cents=claim.total_cents,
                               end_to_end_id=claim.reference))
        move(claim, ClaimStatus.IN_BATCH, user, reason=batch.reference, batch_id=batch.id)
    record(user, "payment_batch.built", batch, after={"reference": batch.reference, "claims": len(claims),
                                                       "total_cents": batch.total_cents})
    db.session.flush()
    return batch


def live_payments(batch: PaymentBatch) -> list[Payment]:
    return list(db.session.execute(
        sa.select(Payment).where(Payment.batch_id == batch.id, Payment.cancelled_at.is_(None))
        .options(sa.orm.joinedload(Payment.bank_account), sa.orm.joinedload(Payment.claim),
                 sa.orm.joinedload(Payment.partner)).order_by(Payment.id)).scalars())


def execute_batch(user, batch_id, executed_on, bank_reference) -> PaymentBatch:
    """Record that the bank executed a batch: its claims are paid and sealed, their tickets paid."""
    batch = get_batch(batch_id, for_update=True)
    if batch.status != BatchStatus.DRAFT:
        raise DomainError("bad_request", _("Ce lot a déjà été exécuté ou annulé."))
    if not isinstance(executed_on, date) or executed_on > local_today() or executed_on < batch.created_at.date():
        raise DomainError("bad_request", _("Date d'exécution invalide : entre la création du lot et aujourd'hui."),
                          field="executed_on")
    if not isinstance(bank_reference, str) or not bank_reference.strip() or len(bank_reference.strip()) > 100:
        raise DomainError("bad_request", _("Indiquez la référence de l'opération donnée par la banque."),
                          field="bank_reference")
    claims = db.session.execute(locked(sa.select(Claim).where(Claim.batch_id == batch.id).order_by(Claim.id))
                                ).scalars().all()
    _not_the_approver(user, claims)
    now = utcnow()
    move(batch, BatchStatus.EXECUTED, user, reason=bank_reference.strip(), executed_on=executed_on,
         bank_reference=bank_reference.strip(), executed_at=now, executed_by_id=user.id)
    mark_tickets([c.id for c in claims], TicketStatus.CLAIMED, TicketStatus.PAID)
    payments = {p.claim_id: p for p in live_payments(batch)}
    for claim in claims:
        move(claim, ClaimStatus.PAID, user, reason=batch.reference, paid_at=now, paid_by_id=user.id)
        seal(claim)
        notifications.claim_paid(claim, payments[claim.id])
    db.session.flush()
    return batch


def cancel_batch(user, batch_id) -> PaymentBatch:
    """Abandon a batch before execution: its claims are approved again, ready for another batch."""
    batch = get_batch(batch_id, for_update=True)
    if batch.status != BatchStatus.DRAFT:
        raise DomainError("bad_request", _("Seul un lot non exécuté peut être annulé."))
    now = utcnow()
    move(batch, BatchStatus.CANCELLED, user, cancelled_at=now)
    db.session.execute(sa.update(Payment).where(Payment.batch_id == batch.id).values(cancelled_at=now)
                       .execution_options(synchronize_session=False))
    for claim in db.session.execute(sa.select(Claim).where(Claim.batch_id == batch.id)).scalars():
        move(claim, ClaimStatus.APPROVED, user, reason=f"batch {batch.reference} cancelled", batch_id=None)
    db.session.flush()
    return batch


def batches(limit: int = 100) -> list[PaymentBatch]:
    return list(db.session.execute(sa.select(PaymentBatch).order_by(PaymentBatch.id.desc()).limit(limit)).scalars())
