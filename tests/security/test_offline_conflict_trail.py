"""Issue 10.10: the offline conflict lists tell the truth.

Before, association B could write fake conflicts into A's scan page (by naming A's workshop in its
batch), a refused offline scan resent with the same nonce appeared again at each resend, and
offline scans refused for their time never reached staff.
"""
from datetime import timedelta

from partner_site.extensions import db
from partner_site.models import FailedScan, utcnow

from ..helpers import code_of, nonce


def _item(workshop, ticket, scanned_at, nonce_value=None):
    return {"workshop_id": workshop.id, "nonce": nonce_value or nonce(), "code": code_of(ticket),
            "scanned_at": scanned_at.isoformat(timespec="seconds") + "Z"}


def test_another_association_cannot_write_into_a_workshop_s_conflicts(app, factory, api):
    a, b = factory.partner(name="Association A"), factory.partner(name="Association B")
    manager_a = api(factory.user("manager", a))
    workshop_a = factory.workshop(a)
    phone_b = api(factory.user("trainer", b))
    forged = phone_b.post("/api/v1/redemptions/batch", json={"items": [
        _item(workshop_a, factory.tickets()[0], utcnow() - timedelta(minutes=5))]})
    assert forged.get_json()["results"][0]["body"]["reason"] == "forbidden"
    page = manager_a.get(f"/workshops/{workshop_a.id}/scan")
    assert page.status_code == 200 and "Association B" not in page.text
    assert "forbidden" not in page.text and "pas accès à cet atelier" not in page.text
    staff = api(factory.user("instructor"))
    assert "Association B" in staff.get("/staff/claims/conflicts").text  # kept for staff


def test_a_refused_offline_scan_resent_is_listed_once(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    assert phone.redeem(workshop, ticket).status_code == 201
    item = _item(workshop, ticket, utcnow() - timedelta(minutes=5))  # already validated: refused
    for _ in range(3):
        answer = phone.post("/api/v1/redemptions/batch", json={"items": [item]})
        assert answer.get_json()["results"][0]["body"]["reason"] == "already_redeemed"
    assert db.session.query(FailedScan).filter_by(offline=True, nonce=item["nonce"]).count() == 1


def test_offline_scans_refused_for_their_time_reach_staff(app, factory, api):
    partner = factory.partner(name="Association Horloge")
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    future = _item(workshop, factory.tickets()[0], utcnow() + timedelta(hours=3))
    answer = phone.post("/api/v1/redemptions/batch", json={"items": [future]})
    assert answer.get_json()["results"][0]["status"] == 400
    assert db.session.query(FailedScan).filter_by(offline=True, nonce=future["nonce"]).count() == 1
    assert "Association Horloge" in api(factory.user("instructor")).get("/staff/claims/conflicts").text
