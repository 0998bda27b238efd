"""Abuse limits: logins, typed check codes (per person, per association, in batches), Redis storage."""
import re
import socket
import uuid

import pytest

from partner_site.domain.codes import ticket_serial
from partner_site.limits import check_code_guessing_figures

from .helpers import ApiClient, nonce

REDIS_URL = "redis://127.0.0.1:6379/0"


def _login_attempt(client, email, password="wrong-password-123"):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_locked_out_login_says_so_in_french_and_refuses_even_the_right_password(factory, make_app):
    user = factory.user("manager")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    answers = [_login_attempt(client, user.email).status_code for _ in range(10)]
    assert answers == [200] * 10
    locked = _login_attempt(client, user.email, factory.PASSWORD)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Trop de tentatives de connexion" in page and 'role="alert"' in page and '<form method="post"' in page
    # Another person's address is not locked by someone guessing this one.
    other = factory.user("trainer")
    assert _login_attempt(client, other.email, factory.PASSWORD).status_code == 302


def test_one_client_cannot_spray_passwords_over_many_addresses(factory, make_app):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    answers = [_login_attempt(client, f"person{i}@example.org").status_code for i in range(31)]
    assert answers[:30] == [200] * 30 and answers[30] == 429


@pytest.fixture
def guessing_world(factory):
    partner = factory.partner()
    trainers = [factory.user("trainer", partner) for _ in range(4)]
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    return partner, trainers, workshop, ticket


def _guess(client, workshop, ticket, code="ZZZZZZ"):
    return client.post("/api/v1/redemptions", json={"workshop_id": workshop.id, "nonce": nonce(),
                                                    "serial": ticket_serial(ticket.number), "check_code": code})


def test_check_code_guessing_is_stopped_long_before_it_could_succeed(guessing_world, make_app, factory):
    _partner, trainers, workshop, ticket = guessing_world
    app = make_app(RATELIMIT_ENABLED=True)
    clients = [ApiClient(app, t.email, factory.PASSWORD) for t in trainers]
    # One trainer: 20 guesses a minute, whichever way they are typed (API or scan page form).
    first = [_guess(clients[0], workshop, ticket).status_code for _ in range(15)]
    first += [clients[0].form(f"/workshops/{workshop.id}/scan", {"serial": ticket.serial, "check_code": "AAA-AAA",
                                                                  "nonce": nonce()}).status_code for _ in range(6)]
    assert first[:15] == [422] * 15 and first[15:20] == [302] * 5 and first[20] == 429
    # More trainer accounts of the same association share its budget of 60 an hour.
    second = [_guess(clients[1], workshop, ticket).status_code for _ in range(20)]
    third = [_guess(clients[2], workshop, ticket).status_code for _ in range(20)]
    assert second == [422] * 20 and third == [422] * 20
    refused = _guess(clients[3], workshop, ticket)
    assert refused.status_code == 429 and refused.get_json()["reason"] == "rate_limited"
    # Scanning QR codes (no typed check code) is not slowed down by the guessing.
    assert clients[3].redeem(workshop, factory.tickets()[0]).status_code == 201
    figures = check_code_guessing_figures()
    print(f"\ncheck codes: {figures['space']:,} values; at most {figures['guesses_per_day']} typed per association "
          f"per day; expected time to guess one: {figures['expected_days']:,.0f} days "
          f"({figures['expected_years']:,.0f} years); chance in a year: {figures['chance_in_a_year']:.2e}; "
          f"{figures['colluding']['associations']} associations together: "
          f"{figures['colluding']['expected_years']:,.0f} years")
    assert figures["expected_years"] > 1000 and figures["colluding"]["expected_years"] > 100


def test_an_offline_batch_of_typed_codes_draws_on_the_same_budget(guessing_world, make_app, factory):
    _partner, trainers, workshop, ticket = guessing_world
    client = ApiClient(make_app(RATELIMIT_ENABLED=True), trainers[0].email, factory.PASSWORD)
    items = [{"workshop_id": workshop.id, "nonce": nonce(), "serial": ticket_serial(ticket.number),
              "check_code": f"{i:06d}".translate(str.maketrans("0123456789", "ACDEFGHJKM")),
              "scanned_at": "2026-01-01T10:00:00Z"} for i in range(25)]
    response = client.post("/api/v1/redemptions/batch", json={"items": items})
    assert response.status_code == 429 and response.get_json()["reason"] == "rate_limited"
    assert client.post("/api/v1/redemptions/batch", json={"items": items[:5]}).status_code == 200


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running at 127.0.0.1:6379")
def test_two_instances_share_their_counts_through_redis(factory, make_app):
    user = factory.user("manager")
    settings = dict(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL,
                    RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    one, two = make_app(**settings).test_client(), make_app(**settings).test_client()
    answers = [_login_attempt(one if i % 2 else two, user.email).status_code for i in range(10)]
    assert answers == [200] * 10
    assert _login_attempt(one, user.email, factory.PASSWORD).status_code == 429
    assert _login_attempt(two, user.email, factory.PASSWORD).status_code == 429
