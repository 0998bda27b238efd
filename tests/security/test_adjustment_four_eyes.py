"""One insider adding money alone: an adjustment that raises what is paid needs a second staff member.

Before: an instructor could record +100,000 € against any paid claim, as often as they liked; the
line counted at once on the partner's next claim, which the same instructor then approved, and
`claims check` stayed green. Now a positive adjustment waits, counted nowhere, until another
instructor or finance officer approves it; the database refuses it counted otherwise; it stays
within a ceiling per corrected claim shown on the page; `claims check` reports one that slipped by.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import adjustments, invariants, payments, review
from partner_site.domain import claims as claim_ops
from partner_site.domain.clock import local_today
from partner_site.domain.errors import DomainError
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine, ClaimStatus, LineKind, LineStatus

from ..claims_world import campaign_for_last_month, make_world, validations
from ..helpers import Factory


@pytest.fixture
def paid(factory):
    """A claim of 5 tickets, 2 of them refused (20 € the association asked for and was not paid), paid."""
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 5)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    lines = db.session.execute(sa.select(ClaimLine.id).where(ClaimLine.claim_id == claim.id)
                               .order_by(ClaimLine.id)).scalars().all()
    review.reject_lines(world.instructor, claim.id, lines[:2], "Hors atelier")
    review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    payments.execute_batch(world.finance, batch.id, local_today(), "VIR-1")
    db.session.commit()
    world.second = factory.user("instructor", full_name="Ibrahim Instructeur")
    return world, claim


def _current(world) -> Claim:
    db.session.expire_all()
    return db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id,
                                                     Claim.period == local_today().replace(day=1))).scalar_one()


def _adjustment(claim_id: int) -> ClaimLine:
    db.session.expire_all()
    return db.session.execute(sa.select(ClaimLine).where(ClaimLine.adjusts_claim_id == claim_id,
                                                         ClaimLine.kind == LineKind.ADJUSTMENT)).scalar_one()


def refused(call, words: str) -> None:
    """Run a domain call that must refuse with `words` in its French message; nothing is kept."""
    with pytest.raises(DomainError) as refusal:
        call()
    db.session.rollback()
    assert words in refusal.value.message


def _check() -> list[str]:
    return [d.check for d in invariants.run_checks()]


def test_a_positive_adjustment_counts_nowhere_until_another_person_approves_it(paid, login):
    world, claim = paid
    instructor = login(world.instructor)
    response = instructor.form(f"/staff/claims/{claim.id}/adjust", {"amount": "10.00", "reason": "Ticket refusé à tort"},
                               follow_redirects=True)
    assert "seconde approbation" in response.get_data(as_text=True)
    line = _adjustment(claim.id)
    assert (line.status, line.amount_cents, _current(world).total_cents) == (LineStatus.PENDING, 1000, 0)
    # Its author cannot approve it, through the page or the domain.
    page = instructor.form(f"/staff/claims/adjustments/{line.id}/approve", follow_redirects=True)
    assert "une autre personne" in page.get_data(as_text=True)
    assert _current(world).total_cents == 0 and _adjustment(claim.id).status == LineStatus.PENDING
    # Someone else can: it counts from then on, with who approved it.
    queue = login(world.finance).get("/staff/claims/adjustments").get_data(as_text=True)
    assert "Ticket refusé à tort" in queue and "10,00" in queue
    assert login(world.finance).form(f"/staff/claims/adjustments/{line.id}/approve").status_code == 302
    line = _adjustment(claim.id)
    assert (line.status, line.approved_by_id, _current(world).total_cents) == (LineStatus.ACCEPTED, world.finance.id,
                                                                                1000)
    assert _check() == []


def test_the_database_refuses_a_positive_adjustment_counted_without_another_approver(paid):
    world, claim = paid
    current_id = claim_ops.current_open_claim_id(world.partner.id)
    db.session.commit()
    for approver in (None, world.instructor.id):
        db.session.add(ClaimLine(claim_id=current_id, kind=LineKind.ADJUSTMENT, amount_cents=1000,
                                 status=LineStatus.ACCEPTED, label="x", adjusts_claim_id=claim.id,
                                 created_by_id=world.instructor.id, approved_by_id=approver,
                                 approved_at=local_today() if approver else None))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
    # A debt (negative) needs no second person, as before.
    db.session.add(ClaimLine(claim_id=current_id, kind=LineKind.ADJUSTMENT, amount_cents=-1000, label="x",
                             adjusts_claim_id=claim.id, created_by_id=world.instructor.id))
    db.session.flush()
    db.session.rollback()


def test_a_claim_waits_for_the_decision_on_its_pending_adjustment(paid):
    world, claim = paid
    line = adjustments.correct_paid_claim(world.instructor, claim.id, 1000, "Ticket refusé à tort")
    db.session.commit()
    current = _current(world)
    current.period = (claim.period - timedelta(days=1)).replace(day=1)  # pretend its month is over
    db.session.commit()
    claim_ops.submit(world.manager, current.id)
    db.session.commit()
    refused(lambda: review.approve(world.second, current.id), "seconde approbation")
    adjustments.approve_adjustment(world.second, line.id)
    review.approve(world.second, current.id)
    db.session.commit()
    assert (current.status, current.total_cents) == (ClaimStatus.APPROVED, 1000)
    assert _check() == []


def test_positive_corrections_stay_within_the_claims_ceiling_shown_on_the_page(paid, login, app):
    world, claim = paid
    page = login(world.instructor).get(f"/staff/claims/{claim.id}").get_data(as_text=True)
    assert "Plafond" in page and "20,00" in page
    refused(lambda: adjustments.correct_paid_claim(world.instructor, claim.id, 10_000_000, "Beaucoup"), "plafond")
    adjustments.correct_paid_claim(world.instructor, claim.id, 1500, "Tickets refusés à tort")
    db.session.commit()
    # What is waiting counts against the ceiling.
    refused(lambda: adjustments.correct_paid_claim(world.second, claim.id, 501, "Encore"), "plafond")
    app.config["ADJUSTMENT_CAP_EUROS"] = 15
    refused(lambda: adjustments.correct_paid_claim(world.second, claim.id, 100, "Absolu"), "plafond")
    ceiling = adjustments.ceiling(claim)
    assert (ceiling.limit_cents, ceiling.used_cents, ceiling.left_cents) == (1500, 1500, 0)


def test_a_refused_adjustment_never_counts_and_its_author_may_withdraw_one(paid, login):
    world, claim = paid
    first = adjustments.correct_paid_claim(world.instructor, claim.id, 500, "Premier")
    second = adjustments.correct_paid_claim(world.instructor, claim.id, 500, "Second")
    db.session.commit()
    assert login(world.second).form(f"/staff/claims/adjustments/{first.id}/refuse",
                                    {"reason": "Pas de pièce justificative"}).status_code == 302
    adjustments.refuse_adjustment(world.instructor, second.id, "Retiré : erreur de saisie")
    db.session.commit()
    db.session.expire_all()
    assert [db.session.get(ClaimLine, i).status for i in (first.id, second.id)] == [LineStatus.REJECTED] * 2
    assert _current(world).total_cents == 0
    refused(lambda: adjustments.approve_adjustment(world.second, first.id), "déjà été approuvé ou refusé")
    assert adjustments.ceiling(claim).left_cents == 2000  # refused ones give the room back


def test_claims_check_reports_a_positive_adjustment_counted_without_a_second_approval(paid, backend):
    world, claim = paid
    line = adjustments.correct_paid_claim(world.instructor, claim.id, 1000, "Ticket refusé à tort")
    db.session.commit()
    assert _check() == []
    # What only someone bypassing the application and the CHECK could do: count it anyway.
    if backend == "sqlite":
        db.session.execute(sa.text("PRAGMA ignore_check_constraints = ON"))
    else:
        db.session.execute(sa.text("ALTER TABLE claim_lines DROP CONSTRAINT "
                                   "ck_claim_lines_positive_adjustment_approved_by_another"))
    try:
        db.session.execute(sa.update(ClaimLine).where(ClaimLine.id == line.id).values(status=LineStatus.ACCEPTED))
        db.session.execute(sa.update(Claim).where(Claim.id == line.claim_id).values(total_cents=1000))
        assert _check() == ["adjustment_not_approved"]
    finally:
        db.session.rollback()
        if backend == "sqlite":
            db.session.execute(sa.text("PRAGMA ignore_check_constraints = OFF"))


def test_only_money_staff_other_than_the_author_decide(paid, login):
    world, claim = paid
    line = adjustments.correct_paid_claim(world.instructor, claim.id, 1000, "Ticket refusé à tort")
    db.session.commit()
    assert login(world.manager).get("/staff/claims/adjustments").status_code == 403
    assert login(world.manager).form(f"/staff/claims/adjustments/{line.id}/approve").status_code == 403
    refused(lambda: adjustments.approve_adjustment(world.manager, line.id), "instructeurs et les payeurs")
    assert _adjustment(claim.id).status == LineStatus.PENDING


@pytest.mark.browser
def test_a_finance_officer_approves_on_a_phone(paid, live_server, browser):
    from ..browser_support import log_in, screenshot

    world, claim = paid
    adjustments.correct_paid_claim(world.instructor, claim.id, 2000, "Deux tickets refusés à tort (atelier du 12)")
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=1, locale="fr-FR",
                                  base_url=live_server)
    page = context.new_page()
    log_in(page, world.finance.email, Factory.PASSWORD)  # with the staff's second step
    page.goto("/staff/claims/adjustments")
    page.get_by_text("Deux tickets refusés à tort").wait_for(timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    screenshot(page, "adjustments-360")
    page.get_by_role("button", name="Approuver 20,00").click()
    page.get_by_text("Ajustement approuvé").wait_for(timeout=60_000)
    context.close()
    assert _current(world).total_cents == 2000
