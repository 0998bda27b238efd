"""Reception points: created with their kind and commune, their staff attached by e-mail."""
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import ReceptionPoint, ReceptionPointKind, Role


def test_an_instructor_creates_a_reception_point_and_attaches_staff(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    agent = factory.user(Role.INSTRUCTOR, email="agent@cd31.example")
    response = client.form("/bo/reception-points/new", {"name": "MDPH de la Haute-Garonne", "kind": "mdph",
                                                        "commune_insee": "31555", "address": "10 place Jourdain"})
    assert response.status_code == 302
    where = db.session.execute(sa.select(ReceptionPoint)).scalar_one()
    assert (where.kind, where.commune_insee) == (ReceptionPointKind.MDPH, "31555")
    client.form(f"/bo/reception-points/{where.id}/staff", {"email": "AGENT@cd31.example"})
    db.session.expire_all()
    assert agent.reception_point_id == where.id
    page = client.get(f"/bo/reception-points/{where.id}").get_data(as_text=True)
    assert "agent@cd31.example" in page
    client.form(f"/bo/reception-points/{where.id}/staff/{agent.id}/detach", {})
    db.session.expire_all()
    assert agent.reception_point_id is None


def test_a_partner_user_cannot_be_attached_and_a_bad_commune_is_refused(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    trainer = factory.user(Role.TRAINER)
    bad = client.form("/bo/reception-points/new", {"name": "MDS", "kind": "mds", "commune_insee": "75056"})
    assert bad.status_code == 200 and db.session.execute(sa.select(ReceptionPoint)).first() is None
    client.form("/bo/reception-points/new", {"name": "MDS de Muret", "kind": "mds", "commune_insee": "31395"})
    where = db.session.execute(sa.select(ReceptionPoint)).scalar_one()
    page = client.form(f"/bo/reception-points/{where.id}/staff", {"email": trainer.email}, follow_redirects=True)
    assert "Seuls les agents du Département" in page.get_data(as_text=True)
    db.session.expire_all()
    assert trainer.reception_point_id is None
