"""Partners in the back office: registration with a one-time invitation e-mailed to the manager, accreditation,
rural flag."""
from datetime import timedelta

import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import Invitation, Partner, PartnerStatus, Role, User, utcnow

from .bo_helpers import csrf_of
from .helpers import link_sent_to, messages_to, path_of

VALID_SIRET = "44306184100047"


def _new_partner(client, **kw):
    values = {"name": "Clic Solidaire", "siret": "443 061 841 00047", "address": "3 rue du Moulin",
              "commune_insee": "31020", "contact_name": "Marie Dupont", "contact_email": "contact@clic.example",
              "contact_phone": "05 61 11 22 33", "manager_name": "Marie Dupont", "manager_email": "marie@clic.example"}
    values.update(kw)
    return client.form("/bo/partners/new", values, follow_redirects=True)


def _invitation_link(email="marie@clic.example") -> str:
    """The path of the link e-mailed to the invited address."""
    return path_of(link_sent_to(email))


def test_registering_a_partner_invites_its_manager_by_a_one_time_link(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    page = _new_partner(client).get_data(as_text=True)
    partner = db.session.execute(sa.select(Partner)).scalar_one()
    assert (partner.siret, partner.status, partner.rural) == (VALID_SIRET, PartnerStatus.APPLIED, True)  # Aspet
    assert "Invitation envoyée à marie@clic.example" in page and "/invitation/" not in page
    link = _invitation_link()
    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    assert link.rsplit("/", 1)[1] not in invitation.token_hash  # only the hash is stored

    visitor = app.test_client()
    form = visitor.get(link).get_data(as_text=True)
    assert "Clic Solidaire" in form
    response = visitor.post(link, data={"csrf_token": csrf_of(form), "full_name": "Marie Dupont",
                                        "password": "un-mot-de-passe-sûr", "confirm": "un-mot-de-passe-sûr"})
    assert response.status_code == 302
    manager = db.session.execute(sa.select(User).where(User.email == "marie@clic.example")).scalar_one()
    assert manager.role == Role.MANAGER and manager.partner_id == partner.id
    assert app.test_client().get(link).status_code == 404  # used once, never again


def test_an_expired_invitation_link_is_refused(app, factory, login):
    _new_partner(login(factory.user(Role.INSTRUCTOR)))
    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = app.test_client().get(_invitation_link())
    assert response.status_code == 404
    assert "plus valable" in response.get_data(as_text=True)


def test_a_wrong_siret_or_a_duplicate_is_refused_with_a_message(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    assert "SIRET invalide" in _new_partner(client, siret="44306184100048").get_data(as_text=True)
    _new_partner(client)
    again = _new_partner(client, manager_email="autre@clic.example").get_data(as_text=True)
    assert "déjà enregistrée avec ce SIRET" in again
    assert db.session.execute(sa.select(sa.func.count()).select_from(Partner)).scalar() == 1


def test_accreditation_moves_along_its_lifecycle_with_reasons_and_dates(app, factory, login):
    partner = factory.partner(status=PartnerStatus.APPLIED)
    client = login(factory.user(Role.INSTRUCTOR))
    url = f"/bo/partners/{partner.id}/status"
    client.form(url, {"target": "accredited", "reason": ""})
    no_reason = client.form(url, {"target": "suspended", "reason": ""}, follow_redirects=True)
    assert "Indiquez le motif" in no_reason.get_data(as_text=True)
    client.form(url, {"target": "suspended", "reason": "Ateliers non tenus en mars"})
    db.session.expire_all()
    partner = db.session.get(Partner, partner.id)
    assert partner.status == PartnerStatus.SUSPENDED and partner.status_reason == "Ateliers non tenus en mars"
    assert partner.status_changed_at is not None
    client.form(url, {"target": "withdrawn", "reason": "Charte non respectée"})
    refused = client.form(url, {"target": "accredited", "reason": ""}, follow_redirects=True)
    assert "Changement impossible" in refused.get_data(as_text=True)
    page = client.get(f"/bo/partners/{partner.id}").get_data(as_text=True)
    assert page.index("Charte non respectée") < page.index("Ateliers non tenus en mars")  # newest first


def test_a_suspended_partner_can_no_longer_redeem(app, factory, login, api):
    partner = factory.partner()
    trainer = api(factory.user(Role.TRAINER, partner))
    workshop = factory.workshop(partner)
    tickets = factory.tickets()
    assert trainer.redeem(workshop, tickets[0]).status_code == 201
    login(factory.user(Role.INSTRUCTOR)).form(f"/bo/partners/{partner.id}/status",
                                              {"target": "suspended", "reason": "Contrôle en cours"})
    assert trainer.redeem(workshop, tickets[1]).get_json()["reason"] == "forbidden"


def test_the_rural_flag_follows_the_commune_unless_staff_override_it(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    _new_partner(client, commune_insee="31555")  # Toulouse
    partner = db.session.execute(sa.select(Partner)).scalar_one()
    assert partner.rural is False
    client.form(f"/bo/partners/{partner.id}/rural", {"rural": "rural"})
    db.session.expire_all()
    assert (partner.rural, partner.rural_overridden) == (True, True)
    edit = {"name": partner.name, "siret": partner.siret, "address": "", "commune_insee": "31555",
            "contact_name": "", "contact_email": "", "contact_phone": ""}
    client.form(f"/bo/partners/{partner.id}/edit", edit)
    db.session.expire_all()
    assert partner.rural is True  # the override survives an edit
    client.form(f"/bo/partners/{partner.id}/rural", {"rural": "auto"})
    db.session.expire_all()
    assert (partner.rural, partner.rural_overridden) == (False, False)


def test_staff_invite_a_trainer_and_an_existing_address_gets_a_notice_instead(app, factory, login):
    partner = factory.partner()
    client = login(factory.user(Role.INSTRUCTOR, email="ines@cd31.example"))
    page = client.form(f"/bo/partners/{partner.id}/invite", {"email": "tom@asso.example", "role": "trainer",
                                                             "full_name": "Tom"}, follow_redirects=True)
    assert "Invitation envoyée à tom@asso.example" in page.get_data(as_text=True)
    assert _invitation_link("tom@asso.example").startswith("/invitation/")
    taken = client.form(f"/bo/partners/{partner.id}/invite", {"email": "ines@cd31.example", "role": "manager",
                                                              "full_name": "Inès"}, follow_redirects=True)
    assert "Invitation envoyée à ines@cd31.example" in taken.get_data(as_text=True)
    assert [m.kind for m in messages_to("ines@cd31.example")] == ["account_exists"]
