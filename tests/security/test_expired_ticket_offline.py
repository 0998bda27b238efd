"""Issue 10.3: an offline batch cannot back-date a scan into a ticket's validity, a hand-out or a workshop.

Before, the phone's `scanned_at` was believed whole: a ticket expired weeks ago was paid by
naming a workshop dated in the past, and a scan could predate the booklet's hand-out.
"""
from datetime import datetime, time, timedelta

from partner_site.domain.clock import local_today, to_utc_naive
from partner_site.extensions import db
from partner_site.models import FailedScan, Redemption, utcnow

from ..helpers import code_of, nonce


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def _upload(phone, workshop, ticket, scanned_at):
    answer = phone.post("/api/v1/redemptions/batch", json={"items": [
        {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket), "scanned_at": _iso(scanned_at)}]})
    assert answer.status_code == 200
    return answer.get_json()["results"][0]


def test_a_ticket_expired_weeks_ago_is_refused_whatever_the_phone_says(app, factory, login):
    today = local_today()
    campaign = factory.campaign(starts_on=today - timedelta(days=120), ends_on=today - timedelta(days=40),
                                grace_days=0)
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    day = today - timedelta(days=45)  # inside the campaign, long before the upload
    workshop = factory.workshop(partner, day=day)
    result = _upload(phone, workshop, factory.tickets(campaign)[0], to_utc_naive(datetime.combine(day, time(15))))
    assert (result["status"], result["body"]["reason"]) == (422, "expired")
    assert db.session.query(Redemption).count() == 0
    assert db.session.query(FailedScan).filter_by(reason="expired", offline=True).count() == 1


def test_a_scan_on_the_last_valid_day_uploaded_the_next_day_is_paid(app, factory, login):
    today = local_today()
    campaign = factory.campaign(starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1),
                                grace_days=0)
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    yesterday = today - timedelta(days=1)
    workshop = factory.workshop(partner, day=yesterday)
    result = _upload(phone, workshop, factory.tickets(campaign)[0],
                     to_utc_naive(datetime.combine(yesterday, time(15))))
    assert result["status"] == 201, result


def test_a_scan_dated_before_the_booklet_was_handed_out_is_refused(app, factory, login):
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    workshop = factory.workshop(partner, starts_at=utcnow() - timedelta(hours=6), ends_at=utcnow() + timedelta(hours=1))
    ticket = factory.tickets()[0]
    handed = utcnow() - timedelta(hours=1)
    ticket.activated_at = handed
    ticket.booklet.distributed_at = handed
    db.session.commit()
    result = _upload(phone, workshop, ticket, utcnow() - timedelta(hours=3))
    assert (result["status"], result["body"]["reason"]) == (422, "not_activated")
    # Within the clock tolerance, the same ticket is accepted.
    assert _upload(phone, workshop, ticket, handed - timedelta(minutes=5))["status"] == 201


def test_a_scan_dated_before_the_workshop_was_created_is_refused(app, factory, login):
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    workshop = factory.workshop(partner, starts_at=utcnow() - timedelta(hours=6), ends_at=utcnow() + timedelta(hours=1),
                                created_at=utcnow() - timedelta(minutes=30))
    result = _upload(phone, workshop, factory.tickets()[0], utcnow() - timedelta(hours=2))
    assert (result["status"], result["body"]["reason"]) == (422, "workshop_not_open")


def test_workshops_cannot_be_created_for_a_day_already_past(app, factory, login):
    partner = factory.partner()
    manager = login(factory.user("manager", partner))
    for day in (local_today() - timedelta(days=1), local_today() - timedelta(days=30)):
        answer = manager.post("/api/v1/workshops", json={
            "title": "Atelier", "starts_at": f"{day}T14:00:00", "ends_at": f"{day}T16:00:00", "capacity": 5})
        assert answer.status_code == 400 and answer.get_json()["field"] == "starts_at", answer.get_json()
    answer = manager.post("/api/v1/workshops", json={
        "title": "Atelier", "starts_at": "9999-12-31T14:00:00", "ends_at": "9999-12-31T16:00:00", "capacity": 5})
    assert answer.status_code == 400 and answer.get_json()["field"] == "starts_at"
    today = local_today()
    answer = manager.post("/api/v1/workshops", json={
        "title": "Atelier", "starts_at": f"{today}T23:00:00", "ends_at": f"{today}T23:30:00", "capacity": 5})
    assert answer.status_code == 201, answer.get_json()
