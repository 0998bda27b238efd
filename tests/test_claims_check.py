"""`flask claims check` says all is well on a sound database and lists every tampering."""
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import payments, review
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine, PaymentBatch, Ticket, TicketStatus

from .claims_world import campaign_for_last_month, make_world, validations


def _paid_world(factory):
    world = make_world(factory)
    done = validations(factory, world, campaign_for_last_month(factory), 3)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    payments.execute_batch(world.finance, batch.id, local_today(), "VIR-1")
    db.session.commit()
    return world, claim, batch, done


def check(runner):
    return runner.invoke(args=["claims", "check"])


def test_check_passes_on_a_sound_database(factory, runner):
    _paid_world(factory)
    result = check(runner)
    assert result.exit_code == 0 and "every money invariant holds" in result.output


def test_check_lists_a_changed_paid_claim_a_wrong_total_and_a_wrong_batch(factory, runner):
    _world, claim, batch, done = _paid_world(factory)
    line = db.session.execute(sa.select(ClaimLine).where(ClaimLine.redemption_id == done[0].id)).scalar_one()
    # Someone edits the database by hand: a line's amount, a batch total.
    db.session.execute(sa.update(ClaimLine).where(ClaimLine.id == line.id).values(amount_cents=1500))
    db.session.execute(sa.update(PaymentBatch).where(PaymentBatch.id == batch.id).values(total_cents=999))
    db.session.commit()
    result = check(runner)
    assert result.exit_code == 1
    assert f"claim_total: claim {claim.id} {claim.reference}: total 3000 != accepted lines 3500" in result.output
    assert f"paid_claim_changed: claim {claim.reference}" in result.output
    assert f"batch_total: batch {batch.reference}" in result.output
    assert "line_redemption" in result.output  # the line no longer matches its redemption


def test_check_finds_a_ticket_marked_paid_on_no_paid_claim(factory, runner):
    world, _claim, _batch, _done = _paid_world(factory)
    stray = validations(factory, world, campaign_for_last_month(factory), 1)[0]
    db.session.execute(sa.update(Ticket).where(Ticket.id == stray.ticket_id).values(status=TicketStatus.PAID))
    db.session.commit()
    result = runner.invoke(args=["claims", "check", "--json"])
    assert result.exit_code == 1
    assert '"check": "ticket_paid_without_claim"' in result.output


def test_the_database_refuses_a_ticket_on_two_accepted_lines(factory):
    import pytest

    from partner_site.models import Redemption, utcnow

    _world, claim, _batch, done = _paid_world(factory)
    first = done[0]
    # A second (voided) redemption of the same ticket, put on a claim line by a faulty code path.
    ghost = Redemption(ticket_id=first.ticket_id, booklet_id=first.booklet_id, workshop_id=first.workshop_id,
                       partner_id=first.partner_id, user_id=first.user_id, nonce="ghost-redemption-1",
                       amount_cents=1000, voided_at=utcnow())
    db.session.add(ghost)
    db.session.flush()
    db.session.add(ClaimLine(claim_id=claim.id, kind="redemption", redemption_id=ghost.id,
                             ticket_id=first.ticket_id, amount_cents=1000))
    with pytest.raises(sa.exc.IntegrityError, match="accepted_ticket|UNIQUE"):
        db.session.flush()
    db.session.rollback()
