"""POST/DELETE /api/v1/redemptions: every answer the API gives, and what it stores."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import booklets as booklet_ops
from partner_site.domain.clock import local_today
from partner_site.domain.codes import encode_code, format_check_code, ticket_serial
from partner_site.extensions import db
from partner_site.models import AuditEvent, FailedScan, PartnerStatus, Redemption, Ticket, TicketStatus

from .helpers import ApiClient, check_code_of, code_of, nonce


@pytest.fixture
def scene(factory, api):
    """A partner with a trainer and today's workshop, and one handed-out booklet."""
    partner = factory.partner()
    trainer = factory.user("trainer", partner)
    workshop = factory.workshop(partner)
    campaign = factory.campaign()
    tickets = factory.tickets(campaign)
    return type("Scene", (), dict(partner=partner, trainer=trainer, workshop=workshop, campaign=campaign,
                                  tickets=tickets, client=api(trainer), old_code=code_of(tickets[4])))


def reason_of(response):
    return response.get_json()["reason"]


def failed_reasons():
    return [r.reason for r in db.session.execute(sa.select(FailedScan).order_by(FailedScan.id)).scalars()]


def test_an_accepted_ticket_answers_201_and_is_stored_with_an_audit_event(scene):
    response = scene.client.redeem(scene.workshop, scene.tickets[0])
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "accepted" and body["amount_cents"] == 1000
    assert body["serial"] == ticket_serial(scene.tickets[0].number)
    assert "accepté" in body["message"]
    assert len(response.get_data()) < 1024
    db.session.expire_all()
    assert db.session.get(Ticket, scene.tickets[0].id).status == TicketStatus.REDEEMED
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "redemption.accepted")).scalar() == 1


def test_a_replayed_nonce_returns_the_first_answer_and_no_second_redemption(scene):
    first_nonce = nonce()
    first = scene.client.redeem(scene.workshop, scene.tickets[0], nonce_value=first_nonce)
    again = scene.client.redeem(scene.workshop, scene.tickets[0], nonce_value=first_nonce)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1


def test_a_nonce_of_another_partner_is_refused(scene, factory, api):
    shared = nonce()
    assert scene.client.redeem(scene.workshop, scene.tickets[0], nonce_value=shared).status_code == 201
    other_partner = factory.partner()
    other = api(factory.user("trainer", other_partner))
    response = other.redeem(factory.workshop(other_partner), scene.tickets[1], nonce_value=shared)
    assert response.status_code == 409 and reason_of(response) == "nonce_reused"


def test_second_scan_of_a_ticket_is_refused_with_when_and_by_whom(scene, factory, api):
    scene.client.redeem(scene.workshop, scene.tickets[0])
    again = scene.client.redeem(scene.workshop, scene.tickets[0])
    assert again.status_code == 409
    body = again.get_json()
    assert body["reason"] == "already_redeemed" and body["same_partner"] is True
    assert body["message"].startswith("Ticket déjà validé le ") and "par votre structure" in body["message"]
    other_partner = factory.partner()
    elsewhere = api(factory.user("trainer", other_partner)).redeem(factory.workshop(other_partner), scene.tickets[0])
    assert elsewhere.status_code == 409
    assert elsewhere.get_json()["same_partner"] is False
    assert "par une autre structure" in elsewhere.get_json()["message"]
    assert failed_reasons() == ["already_redeemed", "already_redeemed"]


def test_manual_entry_with_serial_and_check_code(scene):
    ticket = scene.tickets[0]
    typed = {"serial": ticket_serial(ticket.number), "check_code": format_check_code(check_code_of(ticket)).lower()}
    response = scene.client.post("/api/v1/redemptions", json={"workshop_id": scene.workshop.id, "nonce": nonce(), **typed})
    assert response.status_code == 201
    wrong = {"serial": ticket_serial(scene.tickets[1].number), "check_code": check_code_of(ticket)}
    refused = scene.client.post("/api/v1/redemptions", json={"workshop_id": scene.workshop.id, "nonce": nonce(), **wrong})
    assert refused.status_code == 422 and reason_of(refused) == "bad_check_code"
    typo = {"serial": ticket_serial(ticket.number)[:-1] + "0" if not ticket_serial(ticket.number).endswith("0")
            else ticket_serial(ticket.number)[:-1] + "1", "check_code": check_code_of(ticket)}
    malformed = scene.client.post("/api/v1/redemptions", json={"workshop_id": scene.workshop.id, "nonce": nonce(), **typo})
    assert reason_of(malformed) == "malformed"


def _signed(app, number):
    kid, key = app.extensions["keyring"].signing_key()
    return encode_code(key, kid, number)


def test_every_refusal_reason_is_reachable(app, scene, factory, api, make_app):
    c, w = scene.client, scene.workshop
    seen = {}

    def expect(reason, response, status=422):
        assert response.status_code == status, (reason, response.get_json())
        assert reason_of(response) == reason
        assert response.get_json()["message"]
        seen[reason] = True

    expect("malformed", c.redeem(w, code="NOT-A-CODE"))
    forged = code_of(scene.tickets[0])
    forged = forged[:50] + ("A" if forged[50] != "A" else "B") + forged[51:]
    expect("bad_signature", c.redeem(w, code=forged))
    app.extensions["keyring"].rotate()
    app.extensions["keyring"].retire(app.extensions["keyring"].active_kid - 1)  # the key that signed the booklet
    expect("unknown_key", c.redeem(w, code=scene.old_code))
    expect("unknown_ticket", c.redeem(w, code=_signed(app, 999_999_990)))
    expect("bad_check_code", c.post("/api/v1/redemptions", json={
        "workshop_id": w.id, "nonce": nonce(), "serial": ticket_serial(scene.tickets[0].number), "check_code": "ABCDEF"}))
    stock = factory.tickets(scene.campaign, distributed=False)
    expect("not_activated", c.redeem(w, stock[0]))
    opposed = factory.booklet(scene.campaign)
    booklet_ops.oppose("test", opposed, "volé")
    db.session.commit()
    expect("cancelled", c.redeem(w, opposed.tickets[0]))
    today = local_today()
    old = factory.campaign(starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=100), grace_days=31)
    expect("expired", c.redeem(w, factory.tickets(old)[0]))
    future = factory.campaign(starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=100))
    expect("not_yet_valid", c.redeem(w, factory.tickets(future)[0]))
    used = nonce()
    assert c.redeem(w, scene.tickets[0], nonce_value=used).status_code == 201
    expect("already_redeemed", c.redeem(w, scene.tickets[0]), status=409)
    expect("nonce_reused", c.redeem(w, scene.tickets[4], nonce_value=used), status=409)
    tomorrow = factory.workshop(scene.partner, day=today + timedelta(days=1))
    expect("workshop_not_open", c.redeem(tomorrow, scene.tickets[1]))
    expect("over_limit", c.redeem(w, scene.tickets[1]))  # same booklet, one ticket per participant
    small = factory.workshop(scene.partner, capacity=1)
    assert c.redeem(small, factory.tickets(scene.campaign)[0]).status_code == 201
    expect("workshop_full", c.redeem(small, factory.tickets(scene.campaign)[0]))
    other_partner = factory.partner()
    expect("forbidden", c.redeem(factory.workshop(other_partner), scene.tickets[2]), status=403)
    expect("bad_request", c.post("/api/v1/redemptions", json={"workshop_id": w.id}), status=400)
    limited = make_app(RATELIMIT_ENABLED=True)
    limited_client = ApiClient(limited, scene.trainer.email, factory.PASSWORD)
    answers = [limited_client.post("/api/v1/redemptions", json={
        "workshop_id": w.id, "nonce": nonce(), "serial": ticket_serial(scene.tickets[3].number), "check_code": "ZZZZZZ"})
        for _ in range(25)]
    assert {a.status_code for a in answers[:20]} == {422}
    expect("rate_limited", answers[-1], status=429)
    from partner_site.api.openapi import REASONS

    domain_reasons = set(REASONS) - {"not_voidable", "not_found", "unauthenticated"}
    assert set(seen) == domain_reasons
    # Nothing was accepted but the two deliberate ones; every refusal left a failed scan.
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 2
    # Every refusal the service saw left a failed scan (rate limiting stops requests before it).
    assert set(failed_reasons()) == domain_reasons - {"rate_limited"}


def test_a_suspended_partner_cannot_redeem(scene):
    scene.partner.status = PartnerStatus.SUSPENDED
    db.session.commit()
    response = scene.client.redeem(scene.workshop, scene.tickets[0])
    assert response.status_code == 403 and reason_of(response) == "forbidden"
    assert "habilitée" in response.get_json()["message"]


@pytest.mark.parametrize("body", [
    None, [], "text", {"workshop_id": "1", "nonce": "abcdefgh12", "code": "X"},
    {"workshop_id": 1, "nonce": "short", "code": "X"}, {"workshop_id": 1, "nonce": "abcdefgh12"},
    {"workshop_id": 1, "nonce": "abcdefgh12", "code": "X", "serial": "1"},
    {"workshop_id": True, "nonce": "abcdefgh12", "code": "X"},
])
def test_bad_requests_answer_json_400_and_change_nothing(scene, body):
    if body is None:
        response = scene.client.client.post("/api/v1/redemptions", data="{not json", content_type="application/json",
                                            headers={"X-CSRFToken": scene.client.csrf})
    else:
        response = scene.client.post("/api/v1/redemptions", json=body)
    assert response.status_code == 400
    assert response.is_json and reason_of(response) == "bad_request"
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 0


def test_anonymous_and_staff_callers_are_refused_in_json(scene, client, factory, api):
    anonymous = client.post("/api/v1/redemptions", json={"workshop_id": scene.workshop.id, "nonce": nonce()})
    assert anonymous.status_code in (400, 401) and anonymous.is_json  # CSRF or login, never HTML
    staff = api(factory.user("instructor"))
    response = staff.redeem(scene.workshop, scene.tickets[0])
    assert response.status_code == 403 and reason_of(response) == "forbidden"


def test_a_post_without_csrf_token_is_refused(scene):
    response = scene.client.client.post("/api/v1/redemptions", json={
        "workshop_id": scene.workshop.id, "nonce": nonce(), "code": code_of(scene.tickets[0])})
    assert response.status_code == 400 and response.get_json()["reason"] == "bad_request"
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 0


def test_void_gives_the_ticket_back_and_it_can_be_validated_again(scene):
    first = scene.client.redeem(scene.workshop, scene.tickets[0]).get_json()
    voided = scene.client.delete(f"/api/v1/redemptions/{first['id']}")
    assert voided.status_code == 200 and voided.get_json()["status"] == "voided"
    db.session.expire_all()
    assert db.session.get(Ticket, scene.tickets[0].id).status == TicketStatus.ACTIVE
    assert scene.client.delete(f"/api/v1/redemptions/{first['id']}").status_code == 409
    again = scene.client.redeem(scene.workshop, scene.tickets[0])
    assert again.status_code == 201
    db.session.expire_all()
    assert scene.workshop.redeemed_count == 1


def test_void_is_refused_to_another_partner_the_next_day_and_after_submission(app, scene, factory, api):
    from partner_site.domain import redemption as service
    from partner_site.models import Claim, ClaimStatus, utcnow

    first = scene.client.redeem(scene.workshop, scene.tickets[0]).get_json()
    other_partner = factory.partner()
    other = api(factory.user("manager", other_partner))
    response = other.delete(f"/api/v1/redemptions/{first['id']}")
    assert response.status_code == 404 and reason_of(response) == "not_found"
    redemption = db.session.get(Redemption, first["id"])
    assert not service.voidable(scene.trainer, redemption, now=utcnow() + timedelta(days=1))
    claim = db.session.execute(sa.select(Claim)).scalar_one()
    claim.status, claim.reference = ClaimStatus.SUBMITTED, "PN31-2021-000001"  # numbered when submitted (CHECK)
    db.session.commit()
    response = scene.client.delete(f"/api/v1/redemptions/{first['id']}")
    assert response.status_code == 409 and reason_of(response) == "not_voidable"
    assert db.session.get(Redemption, first["id"]).voided_at is None


def test_accepted_redemptions_join_the_open_claim_and_voids_leave_it(scene):
    from partner_site.models import Claim

    ids = [scene.client.redeem(scene.workshop, t).get_json()["id"] for t in [scene.tickets[0]]]
    claim = db.session.execute(sa.select(Claim)).scalar_one()
    assert claim.total_cents == 1000 and len(claim.lines) == 1
    scene.client.delete(f"/api/v1/redemptions/{ids[0]}")
    db.session.expire_all()
    claim = db.session.execute(sa.select(Claim)).scalar_one()
    assert claim.total_cents == 0 and claim.lines == []


def test_a_check_code_typed_with_accents_is_a_clear_refusal(scene):
    response = scene.client.post("/api/v1/redemptions", json={
        "workshop_id": scene.workshop.id, "nonce": nonce(), "serial": ticket_serial(scene.tickets[0].number),
        "check_code": "ÉÀÇ-ÖÜ"})
    assert response.status_code == 422 and reason_of(response) == "bad_check_code"
