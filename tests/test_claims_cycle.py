"""The whole money cycle, through the pages: validations -> open claim -> submit -> review -> batch -> paid."""
import io
import re
from xml.etree import ElementTree as etree

import pypdf
import sqlalchemy as sa
import xmlschema

from partner_site.extensions import db
from partner_site.models import (
    AuditEvent,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    Notification,
    Payment,
    PaymentBatch,
    Ticket,
)

from .claims_world import IBAN, campaign_for_last_month, make_world, validations

SEPA_NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def sepa_schema():
    import os

    import sepaxml

    return xmlschema.XMLSchema(os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd"))


def ticket_statuses(redemptions):
    ids = [r.ticket_id for r in redemptions]
    return sorted(s.value for s in db.session.execute(sa.select(Ticket.status).where(Ticket.id.in_(ids))).scalars())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\xa0", " ")


def test_a_claim_goes_from_validations_to_paid_with_the_right_amount_at_every_step(app, factory, login):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)
    done = validations(factory, world, campaign, 3)

    # Every accepted validation joined the partner's open claim of that month.
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    assert (claim.status, claim.total_cents, claim.reference) == (ClaimStatus.OPEN, 3000, None)
    assert ticket_statuses(done) == ["redeemed"] * 3

    manager = login(world.manager)
    page = manager.get("/claims/").get_data(as_text=True)
    assert "3 ligne(s)" in page and "30,00" in page and "Envoyer la demande de" in page
    detail = manager.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "3 ticket(s) × 10,00\u00a0€ = 30,00\u00a0€" in detail and "Démarches en ligne" in detail

    # The association submits the finished month: numbered, statement available, tickets claimed.
    response = manager.form(f"/claims/{claim.id}/submit", {"confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert claim.status == ClaimStatus.SUBMITTED
    assert re.fullmatch(r"PN31-\d{4}-000001", claim.reference)
    assert (claim.line_count, claim.total_cents) == (3, 3000)
    assert ticket_statuses(done) == ["claimed"] * 3

    statement = manager.get(f"/claims/{claim.id}/statement.pdf")
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"
    text = pdf_text(statement.data)
    assert claim.reference in text and world.partner.name in text and "443 061 841 00047" in text
    assert "FR76 •••• 0189" in text and IBAN not in text.replace(" ", "")
    assert "Total de la demande : 30,00 €" in text

    # The instructor rejects one line with a reason, then approves: 20 € left.
    instructor = login(world.instructor)
    assert claim.reference in instructor.get("/staff/claims/").get_data(as_text=True)
    rejected_line = db.session.execute(sa.select(ClaimLine).where(
        ClaimLine.redemption_id == done[0].id)).scalar_one()
    response = instructor.form(f"/staff/claims/{claim.id}/reject",
                               {"lines": [str(rejected_line.id)], "reason": "Participant absent de la feuille"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).total_cents == 2000
    assert ticket_statuses(done) == ["claimed", "claimed", "redeemed"]
    assert instructor.form(f"/staff/claims/{claim.id}/approve", {"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert (claim.status, claim.total_cents, claim.rejected_count) == (ClaimStatus.APPROVED, 2000, 1)
    assert claim.approved_by_id == world.instructor.id

    # The association sees the rejected line and its reason, and got a message.
    page = manager.get("/claims/").get_data(as_text=True)
    assert "Participant absent de la feuille" in page
    message = db.session.execute(sa.select(Notification).where(Notification.claim_id == claim.id)).scalar_one()
    assert message.kind == "claim_partly_rejected" and "Participant absent" in message.body
    assert "Total de la demande : 20,00 €" in pdf_text(manager.get(f"/claims/{claim.id}/statement.pdf").data)

    # Finance builds a batch, exports the SEPA file (valid against the XSD) and records it executed.
    finance = login(world.finance)
    assert claim.reference in finance.get("/finance/").get_data(as_text=True)
    response = finance.form("/finance/batches", {"claims": [str(claim.id)],
                                                 "requested_on": (claim.approved_at.date().isoformat())})
    assert response.status_code == 302, response.get_data(as_text=True)
    batch = db.session.execute(sa.select(PaymentBatch)).scalar_one()
    assert (batch.total_cents, batch.claim_count) == (2000, 1)
    assert re.fullmatch(r"PN31-LOT-\d{4}-0001", batch.reference)
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == ClaimStatus.IN_BATCH

    xml = finance.get(f"/finance/batches/{batch.id}/sepa.xml")
    assert xml.status_code == 200
    sepa_schema().validate(xml.data)  # raises if the file does not follow pain.001.001.03
    tree = etree.fromstring(xml.data)
    assert tree.findtext(f".//{SEPA_NS}GrpHdr/{SEPA_NS}MsgId") == batch.reference
    assert tree.findtext(f".//{SEPA_NS}GrpHdr/{SEPA_NS}CtrlSum") == "20.00"
    assert tree.findtext(f".//{SEPA_NS}CdtTrfTxInf/{SEPA_NS}CdtrAcct/{SEPA_NS}Id/{SEPA_NS}IBAN") == IBAN
    assert tree.findtext(f".//{SEPA_NS}CdtTrfTxInf/{SEPA_NS}PmtId/{SEPA_NS}EndToEndId") == claim.reference
    csv_text = finance.get(f"/finance/batches/{batch.id}/payments.csv").get_data(as_text=True)
    assert f"{batch.reference};{claim.reference};" in csv_text and ";20,00;2000" in csv_text

    response = finance.form(f"/finance/batches/{batch.id}/execute",
                            {"executed_on": batch.created_at.date().isoformat(), "bank_reference": "VIR-2021-42",
                             "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert (claim.status, claim.paid_by_id, claim.total_cents) == (ClaimStatus.PAID, world.finance.id, 2000)
    assert claim.sealed_digest
    assert ticket_statuses(done) == ["paid", "paid", "redeemed"]
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    assert payment.bank_account.iban == IBAN and payment.amount_cents == 2000
    kinds = [n.kind for n in db.session.execute(sa.select(Notification).order_by(Notification.id)).scalars()]
    assert kinds == ["claim_partly_rejected", "claim_paid"]

    # Every move left an audit event, and the money invariants hold.
    actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"claim.submitted", "claimline.rejected", "claim.approved", "claim.in_batch", "claim.paid",
            "paymentbatch.executed"} <= actions
    result = app.test_cli_runner().invoke(args=["claims", "check"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(ClaimLine.status).where(
        ClaimLine.id == rejected_line.id)).scalar_one() == LineStatus.REJECTED
