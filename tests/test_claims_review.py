"""Review rules: anomaly flags, rejections and their undo, submission rules, corrections after payment."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import adjustments, anomalies, payments, redemption, review
from partner_site.domain import claims as claim_ops
from partner_site.domain.clock import local_today
from partner_site.domain.errors import DomainError
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine, ClaimStatus, LineKind, Notification, Ticket, TicketStatus

from .claims_world import at, campaign_for_last_month, last_month_day, make_world, redeem_at, validations
from .helpers import code_of


def refusal(call) -> str:
    """Run a domain call that must refuse; return its French message (nothing is kept)."""
    with pytest.raises(DomainError) as refused:
        call()
    db.session.rollback()
    return refused.value.message


def _claim(world) -> Claim:
    return db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)
                              .order_by(Claim.period)).scalars().first()


def _line(redemption_row) -> ClaimLine:
    return db.session.execute(sa.select(ClaimLine).where(ClaimLine.redemption_id == redemption_row.id)).scalar_one()


def _pay(world, claim):
    """Approve (if needed) and pay a submitted claim through a batch; return the batch."""
    if claim.status == ClaimStatus.SUBMITTED:
        review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    payments.execute_batch(world.finance, batch.id, local_today(), "VIR-1")
    db.session.commit()
    return batch


def test_anomaly_rules_flag_lines_at_submission(factory, login):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)
    day = last_month_day()
    booklet_tickets = factory.tickets(campaign)
    second = factory.workshop(world.partner, starts_at=at(day, 9), ends_at=at(day, 11), capacity=1,
                              tickets_per_participant=2, title="Atelier du matin")
    # Tickets of one booklet at two workshops the same day; one scan at 21:00, long after the end.
    a = redeem_at(world.trainer, world.workshop, booklet_tickets[0], at(day, 15))
    b = redeem_at(world.trainer, second, booklet_tickets[1], at(day, 10))
    late = redeem_at(world.trainer, world.workshop, factory.tickets(campaign)[0], at(day, 21))
    # Two people at a workshop for one.
    crowd = redeem_at(world.trainer, second, factory.tickets(campaign)[0], at(day, 10, 30))
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    flags = {r.id: set((_line(r).flags or "").split(",")) - {""} for r in (a, b, late, crowd)}
    assert flags[a.id] == {anomalies.SAME_BOOKLET_SAME_DAY}
    assert flags[b.id] == {anomalies.SAME_BOOKLET_SAME_DAY, anomalies.OVER_CAPACITY}
    assert flags[late.id] == {anomalies.OUTSIDE_HOURS}
    assert flags[crowd.id] == {anomalies.OVER_CAPACITY}
    assert claim.flagged_count == 4
    page = login(world.instructor).get(f"/staff/claims/{claim.id}?flagged=1").get_data(as_text=True)
    assert "Validation en dehors des horaires de l&#39;atelier" in page
    queue = login(world.instructor).get("/staff/claims/?flagged=1").get_data(as_text=True)
    assert claim.reference in queue


def test_a_clean_claim_has_no_flags(factory):
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 3)
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    assert claim.flagged_count == 0


def test_a_claim_is_submitted_once_and_only_for_a_finished_month_with_tickets(factory):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)
    validations(factory, world, campaign, 1)
    today_workshop = factory.workshop(world.partner)
    factory_ticket = factory.tickets(campaign)[0]
    redemption.redeem(world.trainer, redemption.ScanRequest(workshop_id=today_workshop.id, nonce="n" * 16,
                                                            code=code_of(factory_ticket)))
    db.session.commit()
    past, current = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)
                                       .order_by(Claim.period)).scalars().all()
    assert "pas terminé" in refusal(lambda: claim_ops.submit(world.manager, current.id))
    claim_ops.submit(world.manager, past.id)
    db.session.commit()
    assert "déjà été envoyée" in refusal(lambda: claim_ops.submit(world.manager, past.id))
    empty = Claim(partner_id=world.partner.id, period=past.period - timedelta(days=40), total_cents=0)
    empty.period = empty.period.replace(day=1)
    db.session.add(empty)
    db.session.commit()
    assert "aucun ticket" in refusal(lambda: claim_ops.submit(world.manager, empty.id))


def test_a_validation_cannot_be_voided_once_its_claim_is_submitted_and_late_scans_join_this_month(factory):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)
    (first,) = validations(factory, world, campaign, 1)
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    assert not redemption.voidable(world.trainer, first, now=first.redeemed_at)
    # An offline scan made last month reaches the server after the claim was sent.
    late = redemption.redeem(world.trainer, redemption.ScanRequest(
        workshop_id=world.workshop.id, nonce="late-scan-0001", code=code_of(
            factory.tickets(campaign)[0]), scanned_at=at(last_month_day(), 16), offline=True)).redemption
    db.session.commit()
    line = _line(late)
    assert line.claim_id != claim.id
    assert db.session.get(Claim, line.claim_id).period == local_today().replace(day=1)
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).total_cents == 1000


def test_a_rejection_can_be_undone_before_approval_but_not_after(factory, login):
    world = make_world(factory)
    done = validations(factory, world, campaign_for_last_month(factory), 2)
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    line = _line(done[0])
    instructor = login(world.instructor)
    instructor.form(f"/staff/claims/{claim.id}/reject", {"lines": [str(line.id)], "reason": "Doublon"})
    db.session.expire_all()
    assert (db.session.get(Claim, claim.id).total_cents, db.session.get(Claim, claim.id).rejected_count) == (1000, 1)
    assert db.session.get(Ticket, done[0].ticket_id).status == TicketStatus.REDEEMED
    instructor.form(f"/staff/claims/{claim.id}/reinstate", {"lines": [str(line.id)]})
    db.session.expire_all()
    assert (db.session.get(Claim, claim.id).total_cents, db.session.get(Claim, claim.id).rejected_count) == (2000, 0)
    assert db.session.get(Ticket, done[0].ticket_id).status == TicketStatus.CLAIMED
    review.approve(world.instructor, claim.id)
    db.session.commit()
    assert "plus à instruire" in refusal(
        lambda: review.reject_lines(world.instructor, claim.id, [line.id], "Trop tard"))


def test_rejecting_needs_a_reason_and_lines_of_this_claim(factory, login):
    a = make_world(factory, 0)
    b = make_world(factory, 1, instructor=a.instructor, finance=a.finance)
    campaign = campaign_for_last_month(factory)
    (ra,) = validations(factory, a, campaign, 1)
    (rb,) = validations(factory, b, campaign, 1)
    claim_a, claim_b = _claim(a), _claim(b)
    claim_ops.submit(a.manager, claim_a.id)
    claim_ops.submit(b.manager, claim_b.id)
    db.session.commit()
    instructor = login(a.instructor)
    response = instructor.form(f"/staff/claims/{claim_a.id}/reject", {"lines": [str(_line(ra).id)], "reason": " "},
                               follow_redirects=True)
    assert "Indiquez le motif du refus" in response.get_data(as_text=True)
    response = instructor.form(f"/staff/claims/{claim_a.id}/reject", {"lines": [str(_line(rb).id)], "reason": "x"},
                               follow_redirects=True)
    assert "ne font pas partie de cette demande" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Claim, claim_a.id).total_cents == 1000
    assert db.session.get(Claim, claim_b.id).total_cents == 1000


def test_a_paid_claim_is_corrected_by_a_negative_line_on_the_next_claim(factory, login):
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 3)
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    _pay(world, claim)
    digest = claim.sealed_digest
    response = login(world.instructor).form(f"/staff/claims/{claim.id}/adjust",
                                            {"amount": "-10.00", "reason": "Ticket frauduleux découvert"})
    assert response.status_code == 302
    db.session.expire_all()
    paid = db.session.get(Claim, claim.id)
    assert (paid.status, paid.total_cents, paid.sealed_digest) == (ClaimStatus.PAID, 3000, digest)
    current = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id,
                                                        Claim.period == local_today().replace(day=1))).scalar_one()
    line = db.session.execute(sa.select(ClaimLine).where(ClaimLine.claim_id == current.id)).scalar_one()
    assert (line.kind, line.amount_cents, line.adjusts_claim_id) == (LineKind.ADJUSTMENT, -1000, claim.id)
    assert "Ticket frauduleux" in line.label and current.total_cents == -1000
    assert "Ticket frauduleux" in login(world.manager).get("/claims/").get_data(as_text=True)
    assert "trop-perçu ne peut dépasser" in refusal(
        lambda: adjustments.correct_paid_claim(world.instructor, claim.id, -3001, "Trop"))
    assert "Seule une demande payée" in refusal(
        lambda: adjustments.correct_paid_claim(world.instructor, current.id, -100, "Pas payée"))
    assert app_check(world) == 0


def app_check(world) -> int:
    from flask import current_app

    return current_app.test_cli_runner().invoke(args=["claims", "check"]).exit_code


def test_a_debt_larger_than_the_month_is_carried_forward_and_an_empty_total_is_settled(factory):
    world = make_world(factory)
    campaign = campaign_for_last_month(factory)
    validations(factory, world, campaign, 1)
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    _pay(world, claim)
    adjustments.correct_paid_claim(world.instructor, claim.id, -1000, "Trop-perçu")
    db.session.commit()
    current = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id,
                                                        Claim.period == local_today().replace(day=1))).scalar_one()
    # Pretend the month is over: move the claim (and its debt) to last month's period's neighbour.
    current.period = (claim.period - timedelta(days=1)).replace(day=1)
    db.session.commit()
    claim_ops.submit(world.manager, current.id)
    review.approve(world.instructor, current.id)
    db.session.commit()
    # -10 € on its own: carried again to the new current month, this one settled at zero.
    assert (current.status, current.total_cents) == (ClaimStatus.PAID, 0)
    carried = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id,
                                                        Claim.period == local_today().replace(day=1))).scalar_one()
    assert carried.total_cents == -1000
    message = db.session.execute(sa.select(Notification).where(Notification.claim_id == current.id)).scalar_one()
    assert "aucun virement" in message.body
    assert app_check(world) == 0


def test_a_cancelled_batch_puts_its_claims_back_to_pay(factory, login):
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 1)
    claim = _claim(world)
    claim_ops.submit(world.manager, claim.id)
    review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    db.session.commit()
    assert login(world.finance).form(f"/finance/batches/{batch.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == ClaimStatus.APPROVED
    second = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    payments.execute_batch(world.finance, second.id, local_today(), "VIR-2")
    db.session.commit()
    assert db.session.get(Claim, claim.id).status == ClaimStatus.PAID
    assert app_check(world) == 0
    assert "déjà été exécuté" in refusal(
        lambda: payments.execute_batch(world.finance, second.id, local_today(), "VIR-3"))
