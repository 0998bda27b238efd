"""Reception points: created by instructors with their kind and commune; instructors attached by the administrator."""
import html

import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import ReceptionPoint, ReceptionPointKind, Role


def test_an_instructor_creates_a_reception_point_and_the_administrator_attaches_an_agent(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    agent = factory.user(Role.INSTRUCTOR, email="agent@cd31.example", full_name="Agnès Accueil")
    response = client.form("/bo/reception-points/new", {"name": "MDPH de la Haute-Garonne", "kind": "mdph",
                                                        "commune_insee": "31555", "address": "10 place Jourdain"})
    assert response.status_code == 302
    where = db.session.execute(sa.select(ReceptionPoint)).scalar_one()
    assert (where.kind, where.commune_insee) == (ReceptionPointKind.MDPH, "31555")
    admin = login(factory.user(Role.ADMIN))
    assert "MDPH de la Haute-Garonne" in html.unescape(admin.get(f"/bo/staff/{agent.id}").get_data(as_text=True))
    admin.form(f"/bo/staff/{agent.id}/reception-point", {"reception_point": str(where.id)})
    db.session.expire_all()
    assert agent.reception_point_id == where.id
    page = client.get(f"/bo/reception-points/{where.id}").get_data(as_text=True)
    assert "agent@cd31.example" in page and "/detach" not in page


def test_only_instructors_are_attached_and_a_bad_commune_is_refused(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    finance = factory.user(Role.FINANCE)
    bad = client.form("/bo/reception-points/new", {"name": "MDS", "kind": "mds", "commune_insee": "75056"})
    assert bad.status_code == 200 and db.session.execute(sa.select(ReceptionPoint)).first() is None
    client.form("/bo/reception-points/new", {"name": "MDS de Muret", "kind": "mds", "commune_insee": "31395"})
    where = db.session.execute(sa.select(ReceptionPoint)).scalar_one()
    admin = login(factory.user(Role.ADMIN))
    page = admin.form(f"/bo/staff/{finance.id}/reception-point", {"reception_point": str(where.id)},
                      follow_redirects=True)
    assert "Seuls les instructeurs du Département" in html.unescape(page.get_data(as_text=True))
    db.session.expire_all()
    assert finance.reception_point_id is None
