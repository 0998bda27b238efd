"""Issue 10.11: the campaign's rule (one ticket per participant per started 2 hours) beats what a partner declares.

Before, a two-hour workshop declared with 10 tickets per participant took 10 tickets from one booklet.
"""
from datetime import timedelta

from partner_site.extensions import db
from partner_site.models import Redemption, utcnow


def _workshop(factory, partner, hours: float):
    start = utcnow() - timedelta(minutes=30)
    return factory.workshop(partner, starts_at=start, ends_at=start + timedelta(hours=hours), capacity=20,
                            tickets_per_participant=10)


def test_a_two_hour_workshop_takes_one_ticket_per_participant(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = _workshop(factory, partner, 2)
    tickets = factory.tickets()
    assert phone.redeem(workshop, tickets[0]).status_code == 201
    refused = phone.redeem(workshop, tickets[1])
    assert refused.status_code == 422 and refused.get_json()["reason"] == "over_limit"
    assert refused.get_json()["allowed"] == 1
    assert db.session.query(Redemption).count() == 1


def test_a_started_slot_counts_and_the_campaign_can_set_another_length(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    tickets = factory.tickets()
    workshop = _workshop(factory, partner, 2.5)  # two slots of 2 hours started
    assert [phone.redeem(workshop, t).status_code for t in tickets[:3]] == [201, 201, 422]
    hourly = factory.campaign(minutes_per_ticket=60)
    other = _workshop(factory, partner, 3)
    assert [phone.redeem(other, t).status_code for t in factory.tickets(hourly)[:4]] == [201, 201, 201, 422]


def test_the_partner_s_lower_figure_still_holds(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    start = utcnow() - timedelta(minutes=30)
    workshop = factory.workshop(partner, starts_at=start, ends_at=start + timedelta(hours=6), capacity=20,
                                tickets_per_participant=1)
    tickets = factory.tickets()
    assert [phone.redeem(workshop, t).status_code for t in tickets[:2]] == [201, 422]
