"""Sending, approving and paying ask for a confirmation restating the amounts; without it nothing changes."""
import html
import re
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import payments, review
from partner_site.domain import claims as claim_ops
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import (
    AuditEvent,
    BatchStatus,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineKind,
    LineStatus,
    Notification,
    PaymentBatch,
    Ticket,
)

from .claims_world import campaign_for_last_month, make_world, validations


def _world_with_claim(factory, tickets=3):
    world = make_world(factory)
    done = validations(factory, world, campaign_for_last_month(factory), tickets)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    return world, claim, done


def _snapshot(claim_id=None, batch_id=None):
    """What an action would change: statuses, references, tickets, the journal and the outbox."""
    db.session.expire_all()
    claim = db.session.get(Claim, claim_id) if claim_id else None
    batch = db.session.get(PaymentBatch, batch_id) if batch_id else None
    return {
        "claim": (claim.status, claim.reference, claim.total_cents, claim.approved_at) if claim else None,
        "batch": (batch.status, batch.executed_on, batch.bank_reference) if batch else None,
        "tickets": sorted(s.value for s in db.session.execute(sa.select(Ticket.status)).scalars()),
        "audit": db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one(),
        "outbox": db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar_one(),
    }


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")


def _hidden(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or \
        re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page) or \
        re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else None


def test_sending_a_claim_without_confirmation_shows_the_amount_and_changes_nothing(factory, login):
    world, claim, _done = _world_with_claim(factory)
    manager = login(world.manager)
    before = _snapshot(claim.id)

    response = manager.form(f"/claims/{claim.id}/submit")
    assert response.status_code == 200
    page = _text(response)
    assert "Envoyer la demande de" in page and "Montant demandé" in page
    assert "3 ticket(s) × 10,00 € = 30,00 €" in page
    assert "Confirmer l'envoi de 30,00 €" in page and "Annuler" in page
    assert _hidden(response.get_data(as_text=True), "confirmed") == "1"
    assert _snapshot(claim.id) == before
    assert before["claim"][:2] == (ClaimStatus.OPEN, None)

    # A crafted value is not a confirmation either.
    assert manager.form(f"/claims/{claim.id}/submit", {"confirmed": "yes"}).status_code == 200
    assert _snapshot(claim.id) == before

    response = manager.form(f"/claims/{claim.id}/submit", {"confirmed": "1"})
    assert response.status_code == 302
    after = _snapshot(claim.id)
    assert after["claim"][0] == ClaimStatus.SUBMITTED and after["claim"][1]
    assert after["tickets"].count("claimed") == 3


def test_a_stale_send_button_says_the_claim_was_already_sent(factory, login):
    world, claim, _done = _world_with_claim(factory)
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    manager = login(world.manager)
    response = manager.form(f"/claims/{claim.id}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/claims/{claim.id}")
    assert "déjà été envoyée" in _text(manager.get(f"/claims/{claim.id}"))


def test_approving_without_confirmation_shows_accepted_and_rejected_lines_and_changes_nothing(factory, login):
    world, claim, done = _world_with_claim(factory, tickets=4)
    claim_ops.submit(world.manager, claim.id)
    line = db.session.execute(sa.select(ClaimLine).where(ClaimLine.redemption_id == done[0].id)).scalar_one()
    review.reject_lines(world.instructor, claim.id, [line.id], "Participant absent")
    db.session.commit()
    instructor = login(world.instructor)
    before = _snapshot(claim.id)

    response = instructor.form(f"/staff/claims/{claim.id}/approve")
    assert response.status_code == 200
    page = _text(response)
    assert f"Approuver la demande {claim.reference} ?" in page
    assert re.search(r"Tickets acceptés\s*</dt>\s*<dd>3, soit 30,00 €", page)
    assert re.search(r"Tickets refusés\s*</dt>\s*<dd>1, soit 10,00 €", page)
    assert "Confirmer l'approbation de 30,00 €" in page
    assert _snapshot(claim.id) == before
    assert before["claim"][0] == ClaimStatus.SUBMITTED

    assert instructor.form(f"/staff/claims/{claim.id}/approve", {"confirmed": "1"}).status_code == 302
    after = _snapshot(claim.id)
    assert after["claim"][0] == ClaimStatus.APPROVED and after["outbox"] == before["outbox"] + 1


def test_approval_is_not_offered_while_an_adjustment_waits(factory, login):
    world, claim, _done = _world_with_claim(factory)
    claim_ops.submit(world.manager, claim.id)
    db.session.add(ClaimLine(claim_id=claim.id, kind=LineKind.ADJUSTMENT, amount_cents=500, label="Ticket oublié",
                             status=LineStatus.PENDING, created_by_id=world.instructor.id))
    db.session.commit()
    instructor = login(world.instructor)
    response = instructor.form(f"/staff/claims/{claim.id}/approve")
    assert response.status_code == 302
    assert "attendent leur seconde approbation" in _text(instructor.get(f"/staff/claims/{claim.id}"))


def _batch(world, claim, requested_on):
    claim_ops.submit(world.manager, claim.id)
    review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], requested_on)
    db.session.commit()
    return batch


def test_executing_a_batch_early_warns_with_the_requested_date_and_changes_nothing(factory, login):
    world, claim, _done = _world_with_claim(factory, tickets=2)
    requested = local_today() + timedelta(days=2)
    batch = _batch(world, claim, requested)
    finance = login(world.finance)
    before = _snapshot(claim.id, batch.id)
    entered = {"executed_on": local_today().isoformat(), "bank_reference": "VIR-2021-0042"}

    response = finance.form(f"/finance/batches/{batch.id}/execute", entered)
    assert response.status_code == 200
    page = _text(response)
    assert f"La date d'exécution demandée est le {requested.strftime('%d/%m/%Y')} : " \
           "exécuter maintenant quand même ?" in page
    assert batch.reference in page and "Confirmer le paiement de 20,00 € dès maintenant" in page
    assert 'aria-describedby="early"' in page
    assert re.search(r"Demandes\s*</dt>\s*<dd>1</dd>", page) and "VIR-2021-0042" in page
    raw = response.get_data(as_text=True)
    assert f'<span class="ref">{batch.reference}</span>' in raw  # kept whole on a phone
    # What was typed goes on with the confirmation, and only the confirmation acts.
    assert _hidden(raw, "executed_on") == entered["executed_on"]
    assert _hidden(raw, "bank_reference") == "VIR-2021-0042" and _hidden(raw, "confirmed") == "1"
    assert _snapshot(claim.id, batch.id) == before
    assert before["batch"][0] == BatchStatus.DRAFT

    response = finance.form(f"/finance/batches/{batch.id}/execute", {**entered, "confirmed": "1"})
    assert response.status_code == 302
    after = _snapshot(claim.id, batch.id)
    assert after["batch"][0] == BatchStatus.EXECUTED and after["claim"][0] == ClaimStatus.PAID


def test_executing_a_batch_on_or_after_its_requested_date_does_not_warn(factory, login):
    world, claim, _done = _world_with_claim(factory)
    batch = _batch(world, claim, local_today())
    response = login(world.finance).form(f"/finance/batches/{batch.id}/execute",
                                         {"executed_on": local_today().isoformat(), "bank_reference": "VIR-9"})
    assert response.status_code == 200
    page = _text(response)
    assert "Confirmer le paiement de 30,00 €" in page and "quand même" not in page


def test_a_confirmed_execution_still_checks_what_was_typed(factory, login):
    world, claim, _done = _world_with_claim(factory)
    batch = _batch(world, claim, local_today())
    finance = login(world.finance)
    before = _snapshot(claim.id, batch.id)
    response = finance.form(f"/finance/batches/{batch.id}/execute",
                            {"executed_on": local_today().isoformat(), "bank_reference": "", "confirmed": "1"})
    assert response.status_code == 302
    assert _snapshot(claim.id, batch.id) == before


def test_confirmation_pages_need_no_script_and_no_inline_style(factory, login):
    world, claim, _done = _world_with_claim(factory)
    page = login(world.manager).form(f"/claims/{claim.id}/submit").get_data(as_text=True)
    assert "<script" not in page and " style=" not in page and " onclick" not in page
    assert re.search(r'<form method="post" action="/claims/\d+/submit"', page)


def test_approving_a_negative_claim_says_the_balance_is_carried_forward(factory, login):
    world, claim, _done = _world_with_claim(factory, tickets=1)
    claim_ops.submit(world.manager, claim.id)
    # A debt from an earlier overpayment, larger than this month's ticket.
    db.session.add(ClaimLine(claim_id=claim.id, kind=LineKind.ADJUSTMENT, amount_cents=-2500, label="Trop-perçu",
                             created_by_id=world.instructor.id))
    db.session.execute(sa.update(Claim).where(Claim.id == claim.id).values(total_cents=Claim.total_cents - 2500))
    db.session.commit()
    page = _text(login(world.instructor).form(f"/staff/claims/{claim.id}/approve"))
    assert re.search(r"Ajustements\s*</dt>\s*<dd>1, soit -25,00 €", page)
    assert "reporté sur la prochaine demande" in page and "Confirmer l'approbation et le report du solde" in page
    assert _snapshot(claim.id)["claim"][0] == ClaimStatus.SUBMITTED
