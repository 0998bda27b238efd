"""The trainer's pages without a browser: home, new workshop, scan page, manual entry and undo forms, attendance."""
import re
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain.clock import local_today, to_local
from partner_site.domain.codes import format_check_code, format_serial
from partner_site.extensions import db
from partner_site.models import AuditEvent, FailedScan, Redemption, Ticket, TicketStatus, Workshop

from .helpers import check_code_of, nonce


def _trainer_with_workshop(factory, **workshop):
    partner = factory.partner()
    return factory.user("trainer", partner, full_name="Camille Formatrice"), factory.workshop(partner, **workshop)


def test_the_trainer_lands_on_today_and_upcoming_workshops(app, factory, login):
    partner = factory.partner()
    trainer = factory.user("trainer", partner)
    factory.workshop(partner, title="Atelier du jour")
    factory.workshop(partner, day=local_today() + timedelta(days=3), title="Atelier de jeudi prochain")
    factory.workshop(partner, day=local_today() - timedelta(days=3), title="Atelier passé")
    factory.workshop(factory.partner(), title="Atelier d'une autre structure")
    page = login(trainer).get("/", follow_redirects=True).get_data(as_text=True)
    today, upcoming = page.split("À venir")
    assert "Atelier du jour" in today and "Scanner les tickets" in today
    assert "Atelier de jeudi prochain" in upcoming
    assert "Atelier passé" not in page
    assert "Atelier d&#39;une autre structure" not in page and "autre structure" not in page


def test_a_workshop_is_created_from_a_common_theme_with_defaults(app, factory, login):
    partner = factory.partner(commune_insee="31020")
    client = login(factory.user("trainer", partner))
    form = client.get("/workshops/new").get_data(as_text=True)
    assert 'value="Aspet (31160)"' in form  # the association's commune is already filled in
    day = local_today() + timedelta(days=1)
    response = client.form("/workshops/new", {"theme": "2", "day": day.isoformat(), "start": "14:00", "duration": "120",
                                              "commune": "Aspet (31160)", "place": "Salle des fêtes",
                                              "capacity": "10", "tickets_per_participant": "1"})
    assert response.status_code == 302
    workshop = db.session.execute(sa.select(Workshop)).scalar_one()
    assert workshop.title == "Utiliser son smartphone"
    assert (to_local(workshop.starts_at).date(), to_local(workshop.starts_at).hour) == (day, 14)
    assert workshop.ends_at - workshop.starts_at == timedelta(hours=2)
    assert (workshop.commune_insee, workshop.partner_id, workshop.capacity) == ("31020", partner.id, 10)
    assert "Utiliser son smartphone" in client.get("/workshops/").get_data(as_text=True)


def test_a_workshop_with_a_free_theme_and_a_commune_typed_by_name(app, factory, login):
    client = login(factory.user("trainer"))
    response = client.form("/workshops/new", {"theme": "other", "other_theme": "Réparer son vélo en ligne",
                                              "day": local_today().isoformat(), "start": "09:30", "duration": "90",
                                              "commune": "saint gaudens", "capacity": "6",
                                              "tickets_per_participant": "2"})
    assert response.status_code == 302
    workshop = db.session.execute(sa.select(Workshop)).scalar_one()
    assert (workshop.title, workshop.commune_insee, workshop.tickets_per_participant) == (
        "Réparer son vélo en ligne", "31483", 2)


def test_a_workshop_form_with_mistakes_says_what_to_fix_and_creates_nothing(app, factory, login):
    client = login(factory.user("trainer"))
    base = {"day": local_today().isoformat(), "start": "09:00", "duration": "60", "capacity": "10",
            "tickets_per_participant": "1"}
    unknown = client.form("/workshops/new", {**base, "theme": "0", "commune": "Paris"}).get_data(as_text=True)
    assert "Commune inconnue en Haute-Garonne" in unknown
    empty_theme = client.form("/workshops/new", {**base, "theme": "other", "commune": "Aspet"}).get_data(as_text=True)
    assert "Donnez un thème à l&#39;atelier" in empty_theme
    too_big = client.form("/workshops/new", {**base, "theme": "0", "commune": "Aspet", "capacity": "5000"})
    assert "nombre entier de 1 à 1000" in too_big.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Workshop)).scalar() == 0


def test_the_scan_page_lists_tickets_validated_here_with_undo_while_voidable(app, factory, login, api):
    trainer, workshop = _trainer_with_workshop(factory)
    tickets = [factory.tickets()[0], factory.tickets()[0]]  # two participants: two booklets
    client = login(trainer)
    first = client.redeem(workshop, tickets[0]).get_json()
    client.redeem(workshop, tickets[1])
    client.delete(f"/api/v1/redemptions/{first['id']}")
    page = client.get(f"/workshops/{workshop.id}/scan").get_data(as_text=True)
    assert f'data-workshop-id="{workshop.id}"' in page
    assert re.search(r"<strong id=\"count\">(\d+)</strong>", page).group(1) == "1", page[page.index("count"):][:80]
    assert format_serial(tickets[0].serial) in page and format_serial(tickets[1].serial) in page
    voided_row = re.search(rf'<li class="redemption voided" data-id="{first["id"]}">.*?</li>', page, re.S).group(0)
    assert "annulé" in voided_row and "void-form" not in voided_row
    assert page.count('class="void-form"') == 2  # the live row, and the row template for the script
    assert 'src="/static/js/scan.js"' in page and "<script>" not in page  # no inline script (CSP)
    assert "jsQR.js" in page  # named for the script to load on demand, not loaded by the page itself
    assert '<script src="/static/vendor/jsqr/jsQR.js"' not in page


def test_manual_entry_without_javascript_accepts_then_refuses_the_same_ticket(app, factory, login):
    trainer, workshop = _trainer_with_workshop(factory)
    ticket = factory.tickets()[0]
    client = login(trainer)
    form = {"serial": format_serial(ticket.serial), "check_code": format_check_code(check_code_of(ticket))}
    accepted = client.form(f"/workshops/{workshop.id}/scan", {**form, "nonce": nonce()}, follow_redirects=True)
    assert f"Ticket {format_serial(ticket.serial)} accepté." in accepted.get_data(as_text=True)
    again = client.form(f"/workshops/{workshop.id}/scan", {**form, "nonce": nonce()}, follow_redirects=True)
    assert "Ticket déjà validé le" in again.get_data(as_text=True)
    assert db.session.execute(sa.select(FailedScan.reason)).scalars().all() == ["already_redeemed"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1


def test_manual_entry_resent_with_the_same_nonce_validates_once(app, factory, login):
    trainer, workshop = _trainer_with_workshop(factory)
    ticket = factory.tickets()[0]
    client = login(trainer)
    form = {"serial": ticket.serial, "check_code": check_code_of(ticket), "nonce": nonce()}
    for _ in range(2):  # a double tap, or the browser resending the form
        page = client.form(f"/workshops/{workshop.id}/scan", form, follow_redirects=True).get_data(as_text=True)
        assert "accepté" in page
    assert db.session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar() == 1


def test_manual_entry_with_a_wrong_check_code_is_refused_and_kept_in_the_trail(app, factory, login):
    trainer, workshop = _trainer_with_workshop(factory)
    ticket = factory.tickets()[0]
    client = login(trainer)
    page = client.form(f"/workshops/{workshop.id}/scan", {"serial": ticket.serial, "check_code": "AAA-AAA",
                                                          "nonce": nonce()}, follow_redirects=True)
    assert "Le code de contrôle ne correspond pas" in page.get_data(as_text=True)
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.ACTIVE
    assert db.session.execute(sa.select(FailedScan.reason)).scalar_one() == "bad_check_code"


def test_manual_entry_with_an_empty_field_says_what_is_missing(app, factory, login):
    trainer, workshop = _trainer_with_workshop(factory)
    page = login(trainer).form(f"/workshops/{workshop.id}/scan", {"serial": "", "check_code": "ABC", "nonce": nonce()},
                               follow_redirects=True).get_data(as_text=True)
    assert "Saisissez le numéro imprimé sous le QR code." in page


def test_the_undo_button_without_javascript_voids_and_the_ticket_can_be_validated_again(app, factory, login):
    trainer, workshop = _trainer_with_workshop(factory)
    ticket = factory.tickets()[0]
    client = login(trainer)
    redemption_id = client.redeem(workshop, ticket).get_json()["id"]
    page = client.form(f"/workshops/{workshop.id}/redemptions/{redemption_id}/void", follow_redirects=True)
    assert f"Validation du ticket {format_serial(ticket.serial)} annulée." in page.get_data(as_text=True)
    assert db.session.get(Redemption, redemption_id).voided_at is not None
    assert db.session.get(Workshop, workshop.id).redeemed_count == 0
    assert client.redeem(workshop, ticket).status_code == 201
    twice = client.form(f"/workshops/{workshop.id}/redemptions/{redemption_id}/void", follow_redirects=True)
    assert "ne peut plus être annulée" in twice.get_data(as_text=True)


def test_undo_of_a_redemption_from_another_workshop_of_the_same_partner_is_not_found(app, factory, login):
    trainer, workshop = _trainer_with_workshop(factory)
    other = factory.workshop(trainer.partner, title="Autre atelier")
    redemption_id = login(trainer).redeem(other, factory.tickets()[0]).get_json()["id"]
    response = login(trainer).form(f"/workshops/{workshop.id}/redemptions/{redemption_id}/void")
    assert response.status_code == 404
    assert db.session.get(Redemption, redemption_id).voided_at is None


def test_the_attendance_sheet_lists_live_tickets_with_time_and_trainer(app, factory, login):
    partner = factory.partner(name="Les Clics d'Aurignac")
    trainer = factory.user("trainer", partner, full_name="Camille Formatrice")
    colleague = factory.user("trainer", partner, full_name="Dominique Formateur")
    workshop = factory.workshop(partner, commune_insee="31028", place="Médiathèque")
    tickets = [factory.tickets()[0] for _ in range(3)]
    login(trainer).redeem(workshop, tickets[0])
    voided = login(colleague).redeem(workshop, tickets[1]).get_json()["id"]
    login(colleague).redeem(workshop, tickets[2])
    login(colleague).delete(f"/api/v1/redemptions/{voided}")
    page = login(trainer).get(f"/workshops/{workshop.id}/attendance").get_data(as_text=True)
    assert "Feuille d'émargement" in page and "Les Clics d&#39;Aurignac" in page
    assert "Médiathèque, Aurignac (31420)" in page
    assert format_serial(tickets[0].serial) in page and format_serial(tickets[2].serial) in page
    assert format_serial(tickets[1].serial) not in page  # voided: not on the sheet
    assert "Camille Formatrice, Dominique Formateur" in page
    assert "2 · 20,00\u00a0€" in page
    assert page.index(format_serial(tickets[0].serial)) < page.index(format_serial(tickets[2].serial))
    assert 'src="/static/js/print.js"' in page


def test_the_manager_pages_through_all_workshops_of_the_association(app, factory, login):
    partner = factory.partner()
    manager = factory.user("manager", partner)
    for days_ago in range(35):
        factory.workshop(partner, day=local_today() - timedelta(days=days_ago), title=f"Atelier J-{days_ago}")
    client = login(manager)
    first = client.get("/workshops/all").get_data(as_text=True)
    assert "Atelier J-0<" in first and "Atelier J-29<" in first and "Atelier J-30<" not in first
    assert "page=2" in first
    second = client.get("/workshops/all?page=2").get_data(as_text=True)
    assert "Atelier J-30<" in second and "Atelier J-34<" in second and "page=3" not in second


def test_creating_a_workshop_leaves_an_audit_event(app, factory, login):
    trainer = factory.user("trainer")
    login(trainer).form("/workshops/new", {"theme": "0", "day": local_today().isoformat(), "start": "10:00",
                                           "duration": "60", "commune": "Aspet", "capacity": "8",
                                           "tickets_per_participant": "1"})
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "workshop.created")).scalar_one()
    assert event.actor_id == trainer.id


def test_typing_check_codes_by_hand_is_rate_limited(app, factory, make_app):
    """A check code has about 2**29.7 values: guessing them through the form is slowed down to nothing."""
    from .helpers import ApiClient

    trainer, workshop = _trainer_with_workshop(factory)
    ticket = factory.tickets()[0]
    client = ApiClient(make_app(RATELIMIT_ENABLED=True), trainer.email, factory.PASSWORD)
    answers = [client.form(f"/workshops/{workshop.id}/scan", {"serial": ticket.serial, "check_code": "AAA-AAA",
                                                              "nonce": nonce()}).status_code for _ in range(21)]
    assert answers[:20] == [302] * 20 and answers[20] == 429
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.ACTIVE
