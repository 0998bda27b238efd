"""Exactly-once under concurrency: many threads, each with its own connection, one ticket."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from partner_site.domain import redemption as service
from partner_site.domain.errors import Refusal
from partner_site.extensions import db
from partner_site.models import Claim, Redemption, User, Workshop

from .helpers import code_of, nonce

THREADS = 16


def _race(app, user_ids, attempts):
    """Run `attempts` (workshop_id, code, nonce) at once, one thread each; return outcomes."""
    barrier = threading.Barrier(len(attempts), timeout=60)

    def attempt(args):
        user_id, (workshop_id, code, scan_nonce) = args
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.commit()  # give the connection back while waiting: the pool is smaller than the crowd
            barrier.wait()
            try:
                outcome = service.redeem(user, service.ScanRequest(workshop_id=workshop_id, nonce=scan_nonce, code=code))
                db.session.commit()
                return "replayed" if outcome.replayed else "accepted"
            except Refusal as refusal:
                db.session.commit()
                return refusal.reason
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(attempt, zip(user_ids, attempts)))


def _count(model, *where):
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar()


@pytest.fixture
def partner_scene(factory):
    partner = factory.partner()
    trainers = [factory.user("trainer", partner).id for _ in range(4)]
    workshop = factory.workshop(partner, capacity=100)
    return partner, trainers, workshop


def test_sixteen_threads_redeeming_one_ticket_get_exactly_one_acceptance(app, factory, partner_scene):
    partner, trainers, workshop = partner_scene
    ticket = factory.tickets()[0]
    code = code_of(ticket)
    results = _race(app, [trainers[i % 4] for i in range(THREADS)], [(workshop.id, code, nonce()) for _ in range(THREADS)])
    assert results.count("accepted") == 1, results
    assert results.count("already_redeemed") == THREADS - 1
    assert _count(Redemption, Redemption.ticket_id == ticket.id) == 1
    assert db.session.get(Workshop, workshop.id).redeemed_count == 1
    assert db.session.execute(sa.select(Claim.total_cents)).scalar_one() == 1000


def test_sixteen_retries_of_one_scan_make_one_redemption_and_replay_it(app, factory, partner_scene):
    partner, trainers, workshop = partner_scene
    ticket = factory.tickets()[0]
    same = nonce()
    results = _race(app, [trainers[0]] * THREADS, [(workshop.id, code_of(ticket), same)] * THREADS)
    assert results.count("accepted") == 1, results
    assert results.count("replayed") == THREADS - 1
    assert _count(Redemption) == 1


def test_capacity_holds_when_sixteen_participants_arrive_at_once(app, factory, partner_scene):
    partner, trainers, workshop = partner_scene
    small = factory.workshop(partner, capacity=5)
    campaign = factory.campaign()
    codes = [code_of(factory.tickets(campaign)[0]) for _ in range(THREADS)]  # one booklet each
    results = _race(app, [trainers[i % 4] for i in range(THREADS)], [(small.id, c, nonce()) for c in codes])
    assert results.count("accepted") == 5, results
    assert results.count("workshop_full") == THREADS - 5
    assert _count(Redemption, Redemption.workshop_id == small.id) == 5
    assert db.session.get(Workshop, small.id).redeemed_count == 5


def test_one_booklet_cannot_exceed_tickets_per_participant_under_concurrency(app, factory, partner_scene):
    partner, trainers, workshop = partner_scene
    two_each = factory.workshop(partner, capacity=50, tickets_per_participant=2)
    tickets = factory.tickets()
    results = _race(app, [trainers[i % 4] for i in range(len(tickets))],
                    [(two_each.id, code_of(t), nonce()) for t in tickets])
    assert results.count("accepted") == 2, results
    assert results.count("over_limit") == len(tickets) - 2
    db.session.expire_all()
    assert db.session.get(Workshop, two_each.id).redeemed_count == 2
