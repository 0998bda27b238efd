"""Typed check codes are counted on what the route processes, and a body with keys a route never reads is refused.

Before the fix, `POST /api/v1/redemptions` with a serial, a check code and an `items` key (even an
empty list) was counted as carrying no typed check code, because the budget counted `items` while
the view processed the top-level fields: a trainer, or all of an association's trainers, could
guess check codes with no limit at all.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.api.common import iso
from partner_site.domain.codes import ticket_serial
from partner_site.extensions import db
from partner_site.limits import check_code_guessing_figures
from partner_site.models import FailedScan, utcnow

from ..helpers import ApiClient, code_of, nonce


@pytest.fixture
def guessers(factory, make_app):
    """Four trainers of one association, logged in on an app with the limits on, a workshop and a ticket."""
    partner = factory.partner()
    trainers = [factory.user("trainer", partner) for _ in range(4)]
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    app = make_app(RATELIMIT_ENABLED=True)
    return [ApiClient(app, t.email, factory.PASSWORD) for t in trainers], workshop, ticket


def _scanned_at() -> str:
    return iso(utcnow() - timedelta(minutes=5))


def _guess(client, workshop, ticket, **extra):
    return client.post("/api/v1/redemptions", json={"workshop_id": workshop.id, "nonce": nonce(),
                                                    "serial": ticket_serial(ticket.number), "check_code": "ZZZZZZ",
                                                    **extra})


def _failed_scans() -> int:
    db.session.remove()
    return db.session.execute(sa.select(sa.func.count()).select_from(FailedScan)).scalar()


def test_an_items_key_neither_hides_a_typed_code_from_the_budgets_nor_gets_it_processed(guessers):
    clients, workshop, ticket = guessers
    hidden = [_guess(clients[0], workshop, ticket, items=[]) for _ in range(20)]
    assert [r.status_code for r in hidden] == [400] * 20
    assert all(r.get_json()["reason"] == "bad_request" and "items" in r.get_json()["message"] for r in hidden)
    assert _failed_scans() == 0  # refused before any check: no guess was tried
    # The person's budget (20 a minute) was spent all the same.
    refused = _guess(clients[0], workshop, ticket)
    assert refused.status_code == 429 and refused.get_json()["reason"] == "rate_limited"
    # The association's budget (60 an hour) bounds all its trainers together, whatever the body says.
    for client in clients[1:3]:
        assert [_guess(client, workshop, ticket, items=[{}]).status_code for _ in range(20)] == [400] * 20
    assert _guess(clients[3], workshop, ticket).status_code == 429
    assert _failed_scans() == 0


def test_a_key_the_single_route_never_reads_is_refused_by_name(guessers):
    clients, workshop, ticket = guessers
    response = clients[0].post("/api/v1/redemptions", json={"workshop_id": workshop.id, "nonce": nonce(),
                                                             "code": code_of(ticket), "offline": True, "zzz": 1})
    body = response.get_json()
    assert response.status_code == 400 and body["reason"] == "bad_request"
    assert "offline" in body["message"] and "zzz" in body["message"] and body["unexpected"] == ["offline", "zzz"]
    # What the scan page sends is accepted, scanned_at included.
    accepted = clients[0].post("/api/v1/redemptions", json={"workshop_id": workshop.id, "nonce": nonce(),
                                                             "code": code_of(ticket),
                                                             "scanned_at": _scanned_at()})
    assert accepted.status_code == 201


def test_the_batch_counts_its_items_and_answers_an_item_with_unknown_keys_on_its_own(guessers, factory):
    clients, workshop, ticket = guessers
    good = factory.tickets()[0]
    items = [{"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(good), "scanned_at": _scanned_at()},
             {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket),
              "scanned_at": _scanned_at(), "items": []}]
    results = clients[0].post("/api/v1/redemptions/batch", json={"items": items}).get_json()["results"]
    assert results[0]["status"] == 201
    assert results[1]["status"] == 400 and "items" in results[1]["body"]["message"]
    # A top-level typed code beside the items is not something the batch reads: refused, never processed.
    top_level = clients[0].post("/api/v1/redemptions/batch", json={
        "items": items[:1], "serial": ticket_serial(ticket.number), "check_code": "ZZZZZZ"})
    assert top_level.status_code == 400 and "serial" in top_level.get_json()["message"]
    # Twenty typed items in batches spend the person's budget, as twenty single scans would.
    typed = [{"workshop_id": workshop.id, "nonce": nonce(), "serial": ticket_serial(ticket.number),
              "check_code": "ZZZZZZ", "scanned_at": _scanned_at()} for _ in range(20)]
    assert clients[0].post("/api/v1/redemptions/batch", json={"items": typed}).status_code == 200
    assert _guess(clients[0], workshop, ticket).status_code == 429


def test_the_guessing_figures_hold_for_an_association_its_trainers_and_all_associations_together():
    figures = check_code_guessing_figures()
    person, colluding = figures["per_person"], figures["colluding"]
    print(f"\none association (any number of trainers): {figures['expected_years']:,.0f} years, "
          f"{figures['chance_in_a_year']:.1e} a year; one trainer: {person['expected_years']:,.0f} years, "
          f"{person['chance_in_a_year']:.1e}; {colluding['associations']} associations together: "
          f"{colluding['expected_years']:,.0f} years, {colluding['chance_in_a_year']:.1e}")
    assert round(figures["expected_years"]) == 4050 and figures["guesses_per_day"] == 300
    assert round(person["expected_years"]) == 6075 and round(colluding["expected_years"]) == 101
    assert colluding["chance_in_a_year"] < 0.005
