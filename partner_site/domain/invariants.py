"""The money invariants, checked on a live database by `flask --app wsgi claims check`.

Each check is one set-based query returning the rows that break it, so it runs on a national
database in seconds; only the paid claims' digests are recomputed line by line (streamed).
"""
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    BatchStatus,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineKind,
    LineStatus,
    Payment,
    PaymentBatch,
    Redemption,
    Ticket,
    TicketStatus,
)
from .payments import DIGEST_COLUMNS, digest_of


@dataclass
class Discrepancy:
    check: str
    object: str
    detail: str


def _accepted_sums():
    return (sa.select(ClaimLine.claim_id, sa.func.sum(ClaimLine.amount_cents).label("cents"))
            .where(ClaimLine.status == LineStatus.ACCEPTED).group_by(ClaimLine.claim_id).subquery())


def claim_totals():
    """A claim's total is the sum of its accepted lines."""
    sums = _accepted_sums()
    rows = db.session.execute(
        sa.select(Claim.id, Claim.reference, Claim.total_cents, sa.func.coalesce(sums.c.cents, 0))
        .outerjoin(sums, sums.c.claim_id == Claim.id)
        .where(Claim.total_cents != sa.func.coalesce(sums.c.cents, 0)))
    for claim_id, reference, total, cents in rows:
        yield Discrepancy("claim_total", f"claim {claim_id} {reference or ''}".strip(),
                          f"total {total} != accepted lines {cents}")


def batch_totals():
    """A batch's total is the sum of its claims' totals, and of its live payments."""
    claim_sums = (sa.select(Claim.batch_id, sa.func.sum(Claim.total_cents).label("cents"),
                            sa.func.count().label("n")).where(Claim.batch_id.is_not(None))
                  .group_by(Claim.batch_id).subquery())
    pay_sums = (sa.select(Payment.batch_id, sa.func.sum(Payment.amount_cents).label("cents"))
                .where(Payment.cancelled_at.is_(None)).group_by(Payment.batch_id).subquery())
    rows = db.session.execute(
        sa.select(PaymentBatch.reference, PaymentBatch.total_cents, PaymentBatch.claim_count,
                  sa.func.coalesce(claim_sums.c.cents, 0), sa.func.coalesce(claim_sums.c.n, 0),
                  sa.func.coalesce(pay_sums.c.cents, 0))
        .outerjoin(claim_sums, claim_sums.c.batch_id == PaymentBatch.id)
        .outerjoin(pay_sums, pay_sums.c.batch_id == PaymentBatch.id)
        .where(PaymentBatch.status != BatchStatus.CANCELLED))
    for reference, total, count, claims_cents, claims_n, paid_cents in rows:
        if not (total == claims_cents == paid_cents and count == claims_n):
            yield Discrepancy("batch_total", f"batch {reference}",
                              f"total {total} ({count} claims), claims {claims_cents} ({claims_n}), "
                              f"payments {paid_cents}")


def tickets_paid_once():
    """No ticket is on two accepted lines, and a paid ticket is on exactly one line of a paid claim."""
    twice = db.session.execute(
        sa.select(ClaimLine.ticket_id, sa.func.count()).where(ClaimLine.status == LineStatus.ACCEPTED,
                                                              ClaimLine.ticket_id.is_not(None))
        .group_by(ClaimLine.ticket_id).having(sa.func.count() > 1))
    for ticket_id, count in twice:
        yield Discrepancy("ticket_paid_twice", f"ticket {ticket_id}", f"on {count} accepted lines")
    # EXISTS rather than IN (subquery): PostgreSQL runs it as a hash (anti-)join over a million rows.
    on_paid_claim = (sa.select(ClaimLine.id).join(Claim, Claim.id == ClaimLine.claim_id)
                     .where(ClaimLine.ticket_id == Ticket.id, Claim.status == ClaimStatus.PAID,
                            ClaimLine.status == LineStatus.ACCEPTED, ClaimLine.kind == LineKind.REDEMPTION)
                     .exists())
    for (ticket_id,) in db.session.execute(sa.select(Ticket.id).where(Ticket.status == TicketStatus.PAID,
                                                                      ~on_paid_claim)):
        yield Discrepancy("ticket_paid_without_claim", f"ticket {ticket_id}", "paid but on no paid claim")
    for (ticket_id,) in db.session.execute(sa.select(Ticket.id).where(on_paid_claim,
                                                                      Ticket.status != TicketStatus.PAID)):
        yield Discrepancy("ticket_not_marked_paid", f"ticket {ticket_id}", "on a paid claim but not paid")


def lines_live():
    """Every redemption line is for a live (not voided) redemption of its own ticket."""
    rows = db.session.execute(
        sa.select(ClaimLine.id, ClaimLine.claim_id).join(Redemption, Redemption.id == ClaimLine.redemption_id)
        .where(sa.or_(Redemption.voided_at.is_not(None), Redemption.ticket_id != ClaimLine.ticket_id,
                      Redemption.amount_cents != ClaimLine.amount_cents)))
    for line_id, claim_id in rows:
        yield Discrepancy("line_redemption", f"line {line_id} of claim {claim_id}",
                          "voided redemption, other ticket or other amount")


def _paid_digests() -> dict[int, str]:
    """Recompute the digest of every paid claim in one streamed pass over their lines."""
    totals = dict(db.session.execute(
        sa.select(Claim.id, Claim.total_cents).where(Claim.status == ClaimStatus.PAID)).all())
    query = (sa.select(ClaimLine.claim_id, *DIGEST_COLUMNS).join(Claim, Claim.id == ClaimLine.claim_id)
             .where(Claim.status == ClaimStatus.PAID).order_by(ClaimLine.claim_id, ClaimLine.id))
    rows = db.session.execute(query.execution_options(yield_per=5000))
    digests = {claim_id: digest_of([row[1:] for row in lines], totals[claim_id])
               for claim_id, lines in groupby(rows, key=itemgetter(0))}
    return {claim_id: digests.get(claim_id) or digest_of([], total) for claim_id, total in totals.items()}


def paid_claims_unchanged():
    """A paid claim still has the lines and total it had when paid, and its payment's amount."""
    digests = _paid_digests()
    rows = db.session.execute(
        sa.select(Claim.id, Claim.reference, Claim.sealed_digest, Claim.total_cents, Payment.amount_cents)
        .outerjoin(Payment, sa.and_(Payment.claim_id == Claim.id, Payment.cancelled_at.is_(None)))
        .where(Claim.status == ClaimStatus.PAID).order_by(Claim.id)).all()
    for claim_id, reference, sealed, total, paid in rows:
        if sealed is None or digests[claim_id] != sealed:
            yield Discrepancy("paid_claim_changed", f"claim {reference}", "lines or total differ from when paid")
        if (paid or 0) != total:
            yield Discrepancy("paid_claim_amount", f"claim {reference}", f"total {total} != paid {paid or 0}")


def adjustments_approved():
    """An adjustment that raises what is paid counts only once someone other than its author approved it.

    The exceptions are a claim's own carried balance (+x on the claim, matched by -x carried to a
    later claim), and nothing waiting for approval sits on a claim already approved or paid.
    """
    rows = db.session.execute(
        sa.select(ClaimLine.id, ClaimLine.claim_id, ClaimLine.amount_cents, ClaimLine.created_by_id,
                  ClaimLine.approved_by_id)
        .where(ClaimLine.kind == LineKind.ADJUSTMENT, ClaimLine.amount_cents > 0,
               ClaimLine.status == LineStatus.ACCEPTED, ClaimLine.adjusts_claim_id != ClaimLine.claim_id,
               sa.or_(ClaimLine.approved_by_id.is_(None), ClaimLine.created_by_id.is_(None),
                      ClaimLine.approved_by_id == ClaimLine.created_by_id)))
    for line_id, claim_id, cents, author, approver in rows:
        yield Discrepancy("adjustment_not_approved", f"line {line_id} of claim {claim_id}",
                          f"+{cents} counted, made by user {author}, approved by {approver or 'nobody'}")
    debt = sa.orm.aliased(ClaimLine)
    carried_to = (sa.select(debt.id).where(debt.adjusts_claim_id == ClaimLine.claim_id, debt.claim_id != ClaimLine.claim_id,
                                           debt.amount_cents == -ClaimLine.amount_cents).exists())
    for line_id, claim_id in db.session.execute(
            sa.select(ClaimLine.id, ClaimLine.claim_id).where(
                ClaimLine.kind == LineKind.ADJUSTMENT, ClaimLine.amount_cents > 0,
                ClaimLine.adjusts_claim_id == ClaimLine.claim_id, ~carried_to)):
        yield Discrepancy("adjustment_not_approved", f"line {line_id} of claim {claim_id}",
                          "a carried balance without the debt it carries")
    waiting = db.session.execute(
        sa.select(ClaimLine.id, Claim.reference, Claim.status).join(Claim, Claim.id == ClaimLine.claim_id)
        .where(ClaimLine.status == LineStatus.PENDING,
               Claim.status.not_in([ClaimStatus.OPEN, ClaimStatus.SUBMITTED])))
    for line_id, reference, status in waiting:
        yield Discrepancy("adjustment_pending_on_decided_claim", f"line {line_id} of claim {reference}",
                          f"waiting for approval on a claim already {status.value}")


CHECKS = [claim_totals, batch_totals, tickets_paid_once, lines_live, paid_claims_unchanged, adjustments_approved]


def run_checks():
    """Yield every discrepancy found by every check."""
    for check in CHECKS:
        yield from check()
