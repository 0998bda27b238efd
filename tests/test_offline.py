"""What a phone keeps to scan offline: campaign ranges, the size of the revocation list, and the conflict pages."""
import gzip
import json
import random
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import booklets as booklet_ops
from partner_site.domain.clock import local_today
from partner_site.domain.sync import decode_runs
from partner_site.extensions import db
from partner_site.models import FailedScan, Role, Ticket, TicketStatus, utcnow

from .helpers import code_of, nonce

CAMPAIGN_TICKETS = 20_000
SIZE_BUDGET = 100_000  # bytes of JSON, uncompressed, for a whole campaign's first sync


def test_a_phone_learns_each_valid_campaign_s_numbers_and_days(app, factory, login):
    campaign = factory.campaign(starts_on=local_today() - timedelta(days=10), ends_on=local_today() + timedelta(days=5),
                                grace_days=31)
    tickets = factory.tickets(campaign) + factory.tickets(campaign)
    factory.tickets(factory.campaign(starts_on=local_today() - timedelta(days=900),
                                     ends_on=local_today() - timedelta(days=400)))  # long over: not sent
    answer = login(factory.user("trainer")).get("/api/v1/sync/campaigns")
    assert answer.status_code == 200
    assert answer.get_json() == {"timezone": "Europe/Paris", "campaigns": [{
        "campaign_id": campaign.id, "first_number": min(t.number for t in tickets),
        "last_number": max(t.number for t in tickets),
        "valid_from": campaign.starts_on.isoformat(),
        "valid_until": (campaign.ends_on + timedelta(days=31)).isoformat(), "minutes_per_ticket": 120}]}


def test_the_offline_lists_are_for_signed_in_partner_users_only(app, client, factory, login):
    assert client.get("/api/v1/sync/campaigns").status_code == 401
    assert login(factory.user(Role.INSTRUCTOR)).get("/api/v1/sync/campaigns").status_code == 403


def _first_sync_size(client, label: str) -> int:
    answer = client.get("/api/v1/sync/revocations")
    body = answer.get_data()
    data = json.loads(body)
    assert data["complete"] is True
    print(f"\n{label}: {len(decode_runs(data['blocked']))} blocked tickets, {len(body)} B of JSON, "
          f"{len(gzip.compress(body))} B gzipped")
    return len(body)


def test_a_20000_ticket_campaign_s_list_stays_under_100_kb_even_at_its_worst(app, factory, login):
    """A whole campaign (2,000 booklets), half handed out and used at random; then every other ticket blocked."""
    phone = login(factory.user("trainer"))
    campaign = factory.campaign()
    booklet_ops.generate("test", campaign, CAMPAIGN_TICKETS // 10)
    db.session.commit()
    rows = db.session.execute(sa.select(Ticket.id, Ticket.number).order_by(Ticket.number)).all()
    assert len(rows) == CAMPAIGN_TICKETS
    now, pick = utcnow(), random.Random(6)
    statuses = []
    for index, row in enumerate(rows):  # a busy campaign: booklets out in blocks, a third of tickets used
        handed_out = (index // 10) % 4 != 3
        used = handed_out and pick.random() < 0.33
        statuses.append((row.id, TicketStatus.REDEEMED if used else
                         TicketStatus.ACTIVE if handed_out else TicketStatus.ISSUED))
    _set_statuses(statuses, now)
    realistic = _first_sync_size(phone, "busy campaign of 20,000 tickets")
    _set_statuses([(row.id, TicketStatus.REDEEMED if index % 2 else TicketStatus.ACTIVE)
                   for index, row in enumerate(rows)], now + timedelta(seconds=1))
    worst = _first_sync_size(phone, "every other ticket blocked (worst case)")
    assert realistic <= worst <= SIZE_BUDGET


def _set_statuses(statuses, changed_at):
    table = Ticket.__table__
    db.session.execute(table.update().where(table.c.id == sa.bindparam("ticket_id")).values(
        status=sa.bindparam("new_status"), changed_at=changed_at),
        [{"ticket_id": ident, "new_status": status.value} for ident, status in statuses])
    db.session.commit()


def _conflict(factory, login, partner, workshop):
    """A ticket redeemed by another partner, then uploaded from `partner`'s offline phone: a conflict."""
    ticket = factory.tickets()[0]
    other = factory.partner()
    assert login(factory.user("trainer", other)).redeem(factory.workshop(other), ticket).status_code == 201
    phone = login(factory.user("trainer", partner))
    item = {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket),
            "scanned_at": (utcnow() - timedelta(minutes=5)).isoformat() + "Z"}
    result = phone.post("/api/v1/redemptions/batch", json={"items": [item]}).get_json()["results"][0]
    assert result["status"] == 409
    return ticket


def test_staff_see_every_offline_conflict_and_partners_cannot(app, factory, login):
    partner = factory.partner(name="Association du Comminges")
    workshop = factory.workshop(partner, title="Faire ses démarches en ligne")
    _conflict(factory, login, partner, workshop)
    conflict = db.session.execute(sa.select(FailedScan).where(FailedScan.offline.is_(True))).scalar_one()
    assert conflict.scanned_at < conflict.created_at
    page = login(factory.user(Role.INSTRUCTOR)).get("/staff/claims/conflicts")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Association du Comminges" in text and "Faire ses démarches en ligne" in text
    assert login(factory.user("manager", partner)).get("/staff/claims/conflicts").status_code == 403


def test_a_trainer_sees_the_conflicts_of_their_workshop_only(app, factory, login):
    partner, other = factory.partner(), factory.partner()
    mine, theirs = factory.workshop(partner), factory.workshop(other)
    _conflict(factory, login, other, theirs)
    trainer = login(factory.user("trainer", partner))
    assert 'id="conflicts"' not in trainer.get(f"/workshops/{mine.id}/scan").get_data(as_text=True)
    assert trainer.get(f"/workshops/{theirs.id}/scan").status_code == 404
    colleague = login(factory.user("trainer", other))
    assert 'id="conflicts"' in colleague.get(f"/workshops/{theirs.id}/scan").get_data(as_text=True)


def test_the_service_worker_and_manifest_are_served_from_the_root(app, client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.get_json()["start_url"] == "/workshops/"
