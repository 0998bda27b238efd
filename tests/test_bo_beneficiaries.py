"""A beneficiary's request from the reception point to the letter box, and the opposition after a loss."""
import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from partner_site.domain import beneficiaries as requests_ops
from partner_site.domain import booklets as booklet_ops
from partner_site.domain.clock import local_today
from partner_site.domain.nearby import nearby_partners
from partner_site.extensions import db
from partner_site.models import (
    AuditEvent,
    BeneficiaryRequest,
    Booklet,
    BookletStatus,
    PartnerStatus,
    RequestStatus,
    Role,
    TicketStatus,
)
from partner_site.printing import letters

from .bo_helpers import ADDRESS, assigned_request, instructor, point

MM = 72 / 25.4


def _form(where, **kw):
    values = {**ADDRESS, "reception_point": str(where.id), "publics": ["young_adult", "isolated_geographic"],
              "consent": "y"}
    values.update(kw)
    return values


def test_a_request_needs_the_persons_consent(app, factory, login):
    where = point()
    client = login(instructor(factory))
    page = client.form("/bo/requests/new", {k: v for k, v in _form(where).items() if k != "consent"})
    assert "consentement de la personne est nécessaire" in page.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(BeneficiaryRequest)).scalar() == 0
    assert client.form("/bo/requests/new", _form(where)).status_code == 302
    request = db.session.execute(sa.select(BeneficiaryRequest)).scalar_one()
    assert request.consent_at is not None and request.status == RequestStatus.RECEIVED
    assert {p.value for p in request.public_values} == {"young_adult", "isolated_geographic"}


def test_a_postcode_not_of_the_commune_is_refused(app, factory, login):
    page = login(instructor(factory)).form("/bo/requests/new", _form(point(), postcode="31000"))
    assert "Le code postal de Aspet est 31160." in page.get_data(as_text=True)


def test_personal_data_never_enters_the_audit_log(app, factory, login):
    where = point()
    client = login(instructor(factory))
    client.form("/bo/requests/new", _form(where))
    request = db.session.execute(sa.select(BeneficiaryRequest)).scalar_one()
    client.form(f"/bo/requests/{request.id}/edit", {**_form(where), "last_name": "Martin-Durand"})
    trail = " ".join(f"{e.before} {e.after}" for e in db.session.execute(sa.select(AuditEvent)).scalars())
    assert "request.updated" in {e.action for e in db.session.execute(sa.select(AuditEvent)).scalars()}
    assert "Martin" not in trail and "Jeanne" not in trail and "Écoles" not in trail


def test_assigning_a_booklet_activates_its_tickets_and_a_trainer_can_redeem_them(app, factory, login, api):
    where = point()
    campaign = factory.campaign()
    booklet_ops.generate("test", campaign, 2, reception_point_id=where.id)
    db.session.commit()
    client = login(instructor(factory))
    client.form("/bo/requests/new", _form(where))
    request = db.session.execute(sa.select(BeneficiaryRequest)).scalar_one()
    page = client.form(f"/bo/requests/{request.id}/assign", {"serial": ""}, follow_redirects=True)
    assert "attribué : ses tickets sont utilisables" in page.get_data(as_text=True)
    db.session.expire_all()
    booklet = requests_ops.current_booklet(request)
    assert booklet.status == BookletStatus.DISTRIBUTED
    assert {t.status for t in booklet.tickets} == {TicketStatus.ACTIVE}
    partner = factory.partner()
    assert api(factory.user(Role.TRAINER, partner)).redeem(factory.workshop(partner), booklet.tickets[0]
                                                           ).status_code == 201
    again = client.form(f"/bo/requests/{request.id}/assign", {"serial": ""}, follow_redirects=True)
    assert "déjà un carnet" in again.get_data(as_text=True)


def test_no_booklet_in_stock_at_the_point_says_what_to_do(app, factory, login):
    where = point()
    factory.campaign()
    client = login(instructor(factory))
    client.form("/bo/requests/new", _form(where))
    request = db.session.execute(sa.select(BeneficiaryRequest)).scalar_one()
    page = client.form(f"/bo/requests/{request.id}/assign", {"serial": ""}, follow_redirects=True)
    assert "Plus aucun carnet en stock pour ce point" in page.get_data(as_text=True)
    assert db.session.get(BeneficiaryRequest, request.id).status == RequestStatus.RECEIVED


def _text_positions(page):
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4] / MM, 297 - tm[5] / MM))  # x from left, y from top, in mm

    page.extract_text(visitor_text=visit)
    return found


def test_the_letter_puts_the_address_in_the_window_of_a_dl_envelope(app, factory, login):
    where = point()
    staff = instructor(factory)
    request = assigned_request(factory, staff, where, address_building="Résidence Les Tilleuls")
    response = login(staff).get(f"/bo/requests/{request.id}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) == 2
    positions = _text_positions(reader.pages[0])
    expected = ["Madame Jeanne MARTIN", "Appartement 4", "Résidence Les Tilleuls", "12 rue des Écoles", "31160 ASPET"]
    address = [p for p in positions if p[0] in expected]
    assert [p[0] for p in address] == expected  # in La Poste's order, no blank line
    for _text, x, y in address:  # the window of a DL envelope, allowing for play: 95-195 mm across, 50-95 mm down
        assert 105 <= x <= 115 and 55 <= y <= 90, (_text, x, y)
    others = [p for p in positions if p not in address]
    assert not [p for p in others if 95 <= p[1] <= 195 and 45 <= p[2] <= 100]  # nothing else shows in the window
    text = reader.pages[0].extract_text()
    booklet = requests_ops.current_booklet(request)
    assert booklet.serial in text and "Madame," in text


def test_the_flyer_lists_accredited_partners_nearest_first(app, factory):
    where = point()
    same_commune = factory.partner(name="Aspet Connecté", commune_insee="31020", contact_phone="05 61 88 00 01")
    same_epci = factory.partner(name="Arbas Numérique", commune_insee="31011")
    same_arrondissement = factory.partner(name="Saint-Gaudens Clic", commune_insee="31483")
    factory.partner(name="Toulouse Inclusion", commune_insee="31555")
    factory.partner(name="Aspet Suspendue", commune_insee="31020", status=PartnerStatus.SUSPENDED)
    staff = instructor(factory)
    request = assigned_request(factory, staff, where)
    names = [n.partner.name for n in nearby_partners(request.commune_insee)]
    assert names == [same_commune.name, same_epci.name, same_arrondissement.name]
    out = io.BytesIO()
    letters.write_mailing(out, [(request, requests_ops.current_booklet(request))], local_today())
    flyer = PdfReader(io.BytesIO(out.getvalue())).pages[1].extract_text()
    assert flyer.index("Aspet Connecté") < flyer.index("Arbas Numérique") < flyer.index("Saint-Gaudens Clic")
    assert "05 61 88 00 01" in flyer and "Dans votre intercommunalité" in flyer
    assert "Toulouse Inclusion" not in flyer and "Suspendue" not in flyer


def test_the_mailing_prints_pending_letters_and_marking_posted_removes_them(app, factory, login):
    where = point()
    staff = instructor(factory)
    first = assigned_request(factory, staff, where, last_name="Martin")
    assigned_request(factory, staff, where, last_name="Bernard")
    client = login(staff)
    mailing = PdfReader(io.BytesIO(client.get("/bo/requests/mailing.pdf").get_data()))
    assert len(mailing.pages) == 4
    client.form(f"/bo/requests/{first.id}/posted", {})
    db.session.expire_all()
    assert first.status == RequestStatus.POSTED and first.assignments[-1].posted_at is not None
    mailing = PdfReader(io.BytesIO(client.get("/bo/requests/mailing.pdf").get_data()))
    assert len(mailing.pages) == 2 and "BERNARD" in mailing.pages[0].extract_text()


def test_a_lost_booklet_is_opposed_and_replaced_for_the_same_person(app, factory, login, api):
    where = point()
    staff = instructor(factory)
    campaign = factory.campaign()
    request = assigned_request(factory, staff, where, campaign)
    booklet_ops.generate("test", campaign, 1, reception_point_id=where.id)
    db.session.commit()
    old = requests_ops.current_booklet(request)
    partner = factory.partner()
    trainer = api(factory.user(Role.TRAINER, partner))
    workshop = factory.workshop(partner)
    assert trainer.redeem(workshop, old.tickets[0]).status_code == 201
    client = login(staff)
    client.form(f"/bo/requests/{request.id}/posted", {})
    page = client.form(f"/bo/requests/{request.id}/replace", {"reason": "Carnet volé dans le sac"},
                       follow_redirects=True).get_data(as_text=True)
    assert "nouveau carnet n°" in page
    db.session.expire_all()
    assert request.status == RequestStatus.ASSIGNED and len(request.assignments) == 2
    new = requests_ops.current_booklet(request)
    assert request.assignments[-1].replaces_booklet_id == old.id
    assert db.session.get(Booklet, old.id).status == BookletStatus.CANCELLED
    assert [t.status for t in old.tickets][:2] == [TicketStatus.REDEEMED, TicketStatus.CANCELLED]
    assert trainer.redeem(workshop, old.tickets[1]).get_json()["reason"] == "cancelled"
    other = factory.workshop(partner, title="Deuxième atelier")
    assert trainer.redeem(other, new.tickets[0]).status_code == 201


def test_one_ticket_can_be_opposed_on_its_own(app, factory, login, api):
    booklet = factory.booklet()
    client = login(instructor(factory))
    ticket = booklet.tickets[3]
    page = client.form("/bo/tickets/oppose", {"serial": ticket.serial, "reason": "Ticket perdu"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"Ticket {ticket.serial} mis en opposition" in page
    partner = factory.partner()
    trainer = api(factory.user(Role.TRAINER, partner))
    assert trainer.redeem(factory.workshop(partner), ticket).get_json()["reason"] == "cancelled"
    assert trainer.redeem(factory.workshop(partner, title="Autre"), booklet.tickets[4]).status_code == 201
    again = client.form("/bo/tickets/oppose", {"serial": ticket.serial, "reason": "encore"}, follow_redirects=True)
    assert "sans objet" in again.get_data(as_text=True)


def test_purge_anonymises_closed_requests_and_keeps_the_statistics(app, factory, login, runner):
    from partner_site.domain import stats
    from partner_site.models import utcnow

    where = point()
    staff = instructor(factory)
    old = assigned_request(factory, staff, where, publics=("insertion",), last_name="Ancienne")
    recent = assigned_request(factory, staff, where, publics=("insertion",), last_name="Récente")
    open_one = assigned_request(factory, staff, where, publics=("insertion",), last_name="Ouverte")
    client = login(staff)
    for request in (old, recent):
        client.form(f"/bo/requests/{request.id}/close", {"reason": "Carnet utilisé"})
    db.session.execute(sa.update(BeneficiaryRequest).where(BeneficiaryRequest.id == old.id)
                       .values(closed_at=utcnow().replace(year=utcnow().year - 1)))
    db.session.commit()
    before = [r for r in stats.by_public().rows if r["requests"]]

    result = runner.invoke(args=["beneficiaries", "purge", "--older-than", "180"])
    assert result.exit_code == 0 and '"anonymised": 1' in result.output
    db.session.expire_all()
    old, recent, open_one = (db.session.get(BeneficiaryRequest, r.id) for r in (old, recent, open_one))
    assert old.anonymised_at and (old.last_name, old.first_name, old.address_street, old.phone) == ("", "", "", "")
    assert old.commune_insee == "31020" and old.assignments  # what the statistics need stays
    assert recent.last_name == "Récente" and open_one.last_name == "Ouverte"
    assert [r for r in stats.by_public().rows if r["requests"]] == before
    page = client.get(f"/bo/requests/{old.id}").get_data(as_text=True)
    assert "Données personnelles effacées" in page and "Ancienne" not in page
    assert re.search(r"anonymisée", client.get("/bo/requests").get_data(as_text=True))
