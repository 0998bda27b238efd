"""Two app instances (two gunicorn processes, different ports) sharing one database."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import Redemption

from .helpers import code_of, nonce
from .servers import Browserless, Gunicorn, server_env

PHONES = 16

pytestmark = pytest.mark.slow


@pytest.fixture
def two_instances(app):
    servers = [Gunicorn(server_env(app)), Gunicorn(server_env(app))]
    yield servers
    for server in servers:
        server.stop()


def _phones(factory, servers, partner):
    trainers = [factory.user("trainer", partner) for _ in range(PHONES)]
    return [Browserless(servers[i % 2].url, t.email, factory.PASSWORD) for i, t in enumerate(trainers)]


def _all_at_once(phones, bodies):
    barrier = threading.Barrier(len(phones), timeout=60)

    def send(args):
        phone, body = args
        barrier.wait()
        response = phone.post_json("/api/v1/redemptions", body)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(phones)) as pool:
        return list(pool.map(send, zip(phones, bodies)))


def test_one_ticket_sent_to_two_instances_by_sixteen_phones_is_accepted_once(app, factory, two_instances):
    partner = factory.partner()
    workshop = factory.workshop(partner, capacity=50)
    ticket = factory.tickets()[0]
    phones = _phones(factory, two_instances, partner)
    code = code_of(ticket)
    answers = _all_at_once(phones, [{"workshop_id": workshop.id, "nonce": nonce(), "code": code} for _ in range(PHONES)])
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (PHONES - 1), answers
    assert {body["reason"] for status, body in answers if status == 409} == {"already_redeemed"}
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1


def test_one_scan_retried_on_both_instances_is_recorded_once_with_the_same_answer(app, factory, two_instances):
    partner = factory.partner()
    workshop = factory.workshop(partner, capacity=50)
    ticket = factory.tickets()[0]
    # One phone retrying through two instances (a load balancer's choice): same session, same nonce.
    trainer = factory.user("trainer", partner)
    phone = Browserless(two_instances[0].url, trainer.email, factory.PASSWORD)
    other_door = Browserless(two_instances[1].url, trainer.email, factory.PASSWORD)
    body = {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(ticket)}
    answers = _all_at_once([phone, other_door] * (PHONES // 2), [body] * PHONES)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * (PHONES - 1) + [201], answers
    assert len({str(sorted(b.items())) for _, b in answers}) == 1  # every answer is the first answer
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1
