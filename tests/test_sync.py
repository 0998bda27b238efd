"""Offline scans: the revocation list a phone keeps and the batch upload of what it scanned."""
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import booklets as booklet_ops
from partner_site.domain.sync import decode_runs, encode_runs
from partner_site.extensions import db
from partner_site.models import FailedScan, Redemption, utcnow

from .helpers import code_of, nonce


def iso(dt):
    return dt.isoformat() + "Z"


def test_runs_round_trip_and_stay_small():
    numbers = [n * 100 + i for n in range(1, 2001) for i in range(1, 11)]  # 2,000 booklets
    runs = encode_runs(numbers)
    assert decode_runs(runs) == numbers
    assert len(runs) == 2 * 2000
    assert encode_runs([5, 3, 4, 10]) == [3, 3, 4, 1]  # 3..5, then 4 past 6: 10


def test_a_phone_learns_blocked_tickets_then_only_what_changed(app, factory, login):
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    campaign = factory.campaign()
    active = factory.tickets(campaign)
    stock = factory.tickets(campaign, distributed=False)
    first = phone.get("/api/v1/sync/revocations").get_json()
    assert set(decode_runs(first["blocked"])) == {t.number for t in stock}
    assert first["complete"] is True
    answer = phone.redeem(workshop, active[0])
    assert answer.status_code == 201
    opposed = factory.booklet(campaign)
    booklet_ops.oppose("test", opposed, "perdu")
    db.session.commit()
    second = phone.get("/api/v1/sync/revocations", query_string={"cursor": first["cursor"]}).get_json()
    assert set(decode_runs(second["blocked"])) == {active[0].number} | {t.number for t in opposed.tickets}
    phone.delete(f"/api/v1/redemptions/{answer.get_json()['id']}")
    third = phone.get("/api/v1/sync/revocations", query_string={"cursor": second["cursor"]}).get_json()
    assert decode_runs(third["unblocked"]) == [active[0].number] and third["blocked"] == []


def test_a_bad_cursor_is_a_clear_400(app, factory, login):
    phone = login(factory.user("trainer"))
    response = phone.get("/api/v1/sync/revocations", query_string={"cursor": "nonsense"})
    assert response.status_code == 400 and response.get_json()["reason"] == "bad_request"


def test_offline_scans_are_stored_with_their_scan_time_and_flag(app, factory, login):
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    workshop = factory.workshop(partner, capacity=10)
    campaign = factory.campaign()
    tickets = [factory.tickets(campaign)[0] for _ in range(3)]
    scanned = utcnow() - timedelta(minutes=30)
    items = [{"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(t), "scanned_at": iso(scanned)}
             for t in tickets]
    answer = phone.post("/api/v1/redemptions/batch", json={"items": items})
    assert answer.status_code == 200
    assert [r["status"] for r in answer.get_json()["results"]] == [201, 201, 201]
    again = phone.post("/api/v1/redemptions/batch", json={"items": items}).get_json()["results"]
    assert [r["status"] for r in again] == [200, 200, 200]  # a sync resumed after a cut: nothing twice
    rows = db.session.execute(sa.select(Redemption)).scalars().all()
    assert len(rows) == 3 and all(r.offline for r in rows)
    assert all(abs((r.scanned_at - scanned).total_seconds()) < 1 for r in rows)
    assert all(r.redeemed_at > r.scanned_at for r in rows)


def test_a_ticket_scanned_offline_and_online_elsewhere_counts_once_and_the_conflict_is_kept(app, factory, login):
    partner = factory.partner()
    offline_phone = login(factory.user("trainer", partner))
    other_partner = factory.partner()
    online_phone = login(factory.user("trainer", other_partner))
    ticket = factory.tickets()[0]
    scanned = utcnow() - timedelta(minutes=20)
    assert online_phone.redeem(factory.workshop(other_partner), ticket).status_code == 201
    item = {"workshop_id": factory.workshop(partner).id, "nonce": nonce(), "code": code_of(ticket),
            "scanned_at": iso(scanned)}
    result = offline_phone.post("/api/v1/redemptions/batch", json={"items": [item]}).get_json()["results"][0]
    assert result["status"] == 409 and result["body"]["reason"] == "already_redeemed"
    assert "par une autre structure" in result["body"]["message"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1
    conflict = db.session.execute(sa.select(FailedScan).where(FailedScan.offline.is_(True))).scalar_one()
    assert conflict.reason == "already_redeemed" and conflict.partner_id == partner.id


def test_batch_items_with_bad_times_or_shapes_are_answered_one_by_one(app, factory, login):
    partner = factory.partner()
    phone = login(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    items = [
        {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket), "scanned_at": iso(utcnow() + timedelta(hours=2))},
        {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket), "scanned_at": "hier"},
        "not an object",
        {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket), "scanned_at": iso(utcnow())},
    ]
    results = phone.post("/api/v1/redemptions/batch", json={"items": items}).get_json()["results"]
    assert [r["status"] for r in results] == [400, 400, 400, 201]
    assert phone.post("/api/v1/redemptions/batch", json={"items": []}).status_code == 400
    assert phone.post("/api/v1/redemptions/batch", json={"items": [items[3]] * 101}).status_code == 400
