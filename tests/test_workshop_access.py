"""Association A's people cannot see, scan into or undo at association B's workshops, by page or by API."""
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import Redemption, Workshop

from .helpers import check_code_of, nonce


@pytest.fixture
def two_associations(factory, login):
    """Association B has a workshop with one validated ticket; A's trainer is logged in."""
    a, b = factory.partner(name="Association A"), factory.partner(name="Association B")
    trainer_b = factory.user("trainer", b)
    workshop_b = factory.workshop(b, title="Atelier de B")
    redemption_b = login(trainer_b).redeem(workshop_b, factory.tickets()[0]).get_json()["id"]
    return SimpleNamespace(client_a=login(factory.user("trainer", a)), partner_a=a, workshop_b=workshop_b,
                           redemption_b=redemption_b)


def _unchanged(workshop_id, redemption_id):
    workshop = db.session.get(Workshop, workshop_id)
    db.session.refresh(workshop)
    assert workshop.redeemed_count == 1
    assert db.session.get(Redemption, redemption_id).voided_at is None
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1


@pytest.mark.parametrize("page", ["scan", "attendance"])
def test_a_trainer_cannot_see_another_associations_workshop_pages(app, two_associations, page):
    client_a, workshop_b = two_associations.client_a, two_associations.workshop_b
    response = client_a.get(f"/workshops/{workshop_b.id}/{page}")
    assert response.status_code == 404
    assert "Atelier de B" not in response.get_data(as_text=True)


def test_another_associations_workshop_is_not_in_the_lists(app, factory, two_associations, login):
    client_a = two_associations.client_a
    assert "Atelier de B" not in client_a.get("/workshops/").get_data(as_text=True)
    manager_a = login(factory.user("manager", factory.partner()))
    assert "Atelier de B" not in manager_a.get("/workshops/all").get_data(as_text=True)


def test_a_trainer_cannot_scan_into_another_associations_workshop(app, factory, two_associations):
    client_a, workshop_b, redemption_b = (two_associations.client_a, two_associations.workshop_b,
                                          two_associations.redemption_b)
    ticket = factory.tickets()[0]
    by_api = client_a.redeem(workshop_b, ticket)
    assert by_api.status_code == 403 and by_api.get_json()["reason"] == "forbidden"
    by_form = client_a.form(f"/workshops/{workshop_b.id}/scan", {"serial": ticket.serial,
                                                                 "check_code": check_code_of(ticket), "nonce": nonce()})
    assert by_form.status_code == 404
    _unchanged(workshop_b.id, redemption_b)


def test_a_trainer_cannot_undo_at_another_associations_workshop(app, two_associations):
    client_a, workshop_b, redemption_b = (two_associations.client_a, two_associations.workshop_b,
                                          two_associations.redemption_b)
    assert client_a.delete(f"/api/v1/redemptions/{redemption_b}").status_code == 404
    assert client_a.form(f"/workshops/{workshop_b.id}/redemptions/{redemption_b}/void").status_code == 404
    assert client_a.get(f"/api/v1/workshops/{workshop_b.id}/redemptions").status_code == 404
    _unchanged(workshop_b.id, redemption_b)


def test_an_undo_through_ones_own_workshop_url_cannot_reach_another_associations_redemption(
        app, factory, two_associations):
    both = two_associations
    own = factory.workshop(both.partner_a)
    response = both.client_a.form(f"/workshops/{own.id}/redemptions/{both.redemption_b}/void")
    assert response.status_code == 404
    _unchanged(both.workshop_b.id, both.redemption_b)


@pytest.mark.parametrize("url", ["/workshops/", "/workshops/new", "/workshops/1/scan", "/workshops/1/attendance"])
def test_workshop_pages_need_a_partners_login(app, factory, login, client, url):
    factory.workshop(factory.partner())
    assert client.get(url).status_code == 302  # to the login page
    staff = login(factory.user("instructor"))
    assert staff.get(url).status_code == 403


def test_manager_pages_are_closed_to_trainers(app, factory, login):
    trainer = login(factory.user("trainer"))
    assert trainer.get("/workshops/all").status_code == 403
    assert trainer.get("/team/").status_code == 403
    assert trainer.form("/team/invitations", {"email": "x@example.org", "full_name": "X"}).status_code == 403


def test_posts_without_the_csrf_token_are_refused(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    client = login(trainer)
    ticket = factory.tickets()[0]
    response = client.client.post(f"/workshops/{workshop.id}/scan",
                                   data={"serial": ticket.serial, "check_code": check_code_of(ticket), "nonce": nonce()})
    assert response.status_code == 400
    assert "Jeton de sécurité manquant" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 0
