"""Issue 10.10: a nonce already used answers `nonce_reused` for another ticket or a voided validation.

Before, the first answer ("accepted") came back for a different ticket, or for a validation since undone.
"""
from partner_site.extensions import db
from partner_site.models import Redemption

from ..helpers import nonce


def test_a_nonce_sent_again_for_another_ticket_is_refused(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    first, second = factory.tickets()[:2]
    shared = nonce()
    assert phone.redeem(workshop, first, nonce_value=shared).status_code == 201
    assert phone.redeem(workshop, first, nonce_value=shared).status_code == 200  # a retry: same answer
    other = phone.redeem(workshop, second, nonce_value=shared)
    assert other.status_code == 409 and other.get_json()["reason"] == "nonce_reused"
    assert db.session.query(Redemption).count() == 1


def test_a_nonce_of_a_voided_validation_is_refused(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    shared = nonce()
    accepted = phone.redeem(workshop, ticket, nonce_value=shared)
    assert phone.delete(f"/api/v1/redemptions/{accepted.get_json()['id']}").status_code == 200
    again = phone.redeem(workshop, ticket, nonce_value=shared)
    assert again.status_code == 409 and again.get_json()["reason"] == "nonce_reused"
    assert phone.redeem(workshop, ticket).status_code == 201  # a new scan of the same ticket is fine
