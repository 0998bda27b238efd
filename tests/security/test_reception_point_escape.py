"""An instructor restricted to one reception point cannot leave it, nor attach anyone anywhere.

The hole: a point-restricted instructor posted "detach" on their own row of the reception point
page, became a central-office instructor, and read every beneficiary's personal data. Attaching
and detaching staff now belongs to the staff administrator alone.
"""
import html

from partner_site.extensions import db
from partner_site.models import Role

from ..bo_helpers import instructor, point, request_at


def _world(factory):
    here, elsewhere = point("MDS de Saint-Gaudens", "31483"), point("MDS de Muret", "31395")
    agent = instructor(factory, at=here, email="agent@cd31.example")
    central = instructor(factory)
    request_at(central, elsewhere, first_name="Josette", last_name="Ailleurs")
    return here, elsewhere, agent, central


def test_a_point_instructor_cannot_detach_themselves_and_read_every_request(app, factory, login):
    here, _elsewhere, agent, _central = _world(factory)
    client = login(agent)
    client.form(f"/bo/reception-points/{here.id}/staff/{agent.id}/detach")
    db.session.expire_all()
    assert agent.reception_point_id == here.id
    listing = html.unescape(client.get("/bo/requests").get_data(as_text=True))
    assert "Ailleurs" not in listing


def test_a_point_instructor_cannot_move_themselves_to_another_point(app, factory, login):
    here, elsewhere, agent, _central = _world(factory)
    client = login(agent)
    client.form(f"/bo/reception-points/{elsewhere.id}/staff", {"email": agent.email})
    client.form(f"/bo/staff/{agent.id}/reception-point", {"reception_point": str(elsewhere.id)})
    db.session.expire_all()
    assert agent.reception_point_id == here.id


def test_a_central_instructor_cannot_attach_or_detach_staff_either(app, factory, login):
    here, elsewhere, agent, central = _world(factory)
    client = login(central)
    assert client.form(f"/bo/staff/{agent.id}/reception-point", {"reception_point": "0"}).status_code == 403
    client.form(f"/bo/reception-points/{here.id}/staff/{agent.id}/detach")
    client.form(f"/bo/reception-points/{elsewhere.id}/staff", {"email": agent.email})
    db.session.expire_all()
    assert agent.reception_point_id == here.id


def test_the_staff_administrator_moves_an_instructor_between_points(app, factory, login):
    here, elsewhere, agent, _central = _world(factory)
    admin = login(factory.user(Role.ADMIN))
    assert admin.form(f"/bo/staff/{agent.id}/reception-point",
                      {"reception_point": str(elsewhere.id)}).status_code == 302
    db.session.expire_all()
    assert agent.reception_point_id == elsewhere.id
    admin.form(f"/bo/staff/{agent.id}/reception-point", {"reception_point": "0"})
    db.session.expire_all()
    assert agent.reception_point_id is None
