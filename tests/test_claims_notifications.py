"""Associations are told when a claim is approved, partly rejected or paid: by e-mail or in the outbox."""
import html
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import notifications, payments, review
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import Claim, Notification

from .claims_world import campaign_for_last_month, make_world, validations
from .smtp_sink import SmtpSink


def _submitted_claim(factory):
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 2)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    return world, claim


def test_without_smtp_messages_wait_in_the_outbox_that_staff_read(app, factory, login):
    world, claim = _submitted_claim(factory)
    login(world.instructor).form(f"/staff/claims/{claim.id}/approve", {"confirmed": "1"})
    message = db.session.execute(sa.select(Notification)).scalar_one()
    assert (message.kind, message.sent_at, message.recipient) == ("claim_approved", None, "contact0@asso.example")
    assert "approuvée pour 20,00" in message.body
    page = html.unescape(login(world.finance).get("/staff/claims/outbox").get_data(as_text=True))
    assert claim.reference in page
    assert "non envoyé" in page and "Aucun serveur d'e-mail" in page


def test_with_smtp_the_association_gets_an_email_for_approval_and_payment(app, factory, login):
    world, claim = _submitted_claim(factory)
    with SmtpSink() as sink:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        login(world.instructor).form(f"/staff/claims/{claim.id}/approve", {"confirmed": "1"})
        batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
        db.session.commit()
        login(world.finance).form(f"/finance/batches/{batch.id}/execute",
                                  {"executed_on": local_today().isoformat(), "bank_reference": "VIR-77",
                                   "confirmed": "1"})
    subjects = [m["Subject"] for m in sink.messages]
    assert subjects == [f"Demande {claim.reference} approuvée", f"Demande {claim.reference} payée"]
    assert all(m["To"] == "contact0@asso.example" for m in sink.messages)
    paid = sink.messages[1].get_content()
    assert "20,00" in paid and "FR76 •••• 0189" in paid and "VIR-77" not in paid
    assert db.session.execute(sa.select(sa.func.count()).where(Notification.sent_at.is_(None))).scalar_one() == 0


def test_an_unreachable_smtp_server_keeps_the_message_for_later(app, factory):
    world, claim = _submitted_claim(factory)
    review.approve(world.instructor, claim.id)
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    assert notifications.deliver_pending() == 0
    message = db.session.execute(sa.select(Notification)).scalar_one()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    with SmtpSink() as sink:
        app.config.update(MAIL_PORT=sink.port)
        result = app.test_cli_runner().invoke(args=["claims", "notify"])
    assert result.exit_code == 0 and '"sent": 1' in result.output
    assert len(sink.messages) == 1
