"""Claim references are gapless and unique, even when associations submit at the same moment."""
import re
import threading

import pytest
import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import counters
from partner_site.extensions import db
from partner_site.models import Claim, Counter

from .claims_world import campaign_for_last_month, make_world, validations


def test_a_rolled_back_submission_gives_its_number_back(app, factory):
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 1)
    assert counters.next_value("claim:2099") == 1
    db.session.rollback()  # e.g. the submission failed after taking its number
    assert counters.next_value("claim:2099") == 1
    assert counters.next_value("claim:2099") == 2
    db.session.commit()
    assert db.session.get(Counter, "claim:2099").value == 2


def test_concurrent_submissions_get_consecutive_references(app, factory, backend):
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: the concurrent case is PostgreSQL's")
    campaign = campaign_for_last_month(factory)
    worlds = [make_world(factory, i) for i in range(5)]
    for world in worlds:
        validations(factory, world, campaign, 1)
    claims = {w.manager.id: db.session.execute(sa.select(Claim.id).where(Claim.partner_id == w.partner.id)
                                               ).scalar_one() for w in worlds}
    db.session.remove()
    barrier, errors = threading.Barrier(len(worlds)), []

    def submit(manager_id, claim_id):
        with app.app_context():
            try:
                from partner_site.models import User

                user = db.session.get(User, manager_id)
                barrier.wait(timeout=10)
                claim_ops.submit(user, claim_id)
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - reported below
                errors.append(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=item) for item in claims.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    numbers = sorted(int(re.fullmatch(r"PN31-\d{4}-(\d{6})", ref).group(1)) for ref in db.session.execute(
        sa.select(Claim.reference).where(Claim.reference.is_not(None))).scalars())
    assert numbers == [1, 2, 3, 4, 5]
