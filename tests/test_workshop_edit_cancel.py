"""Workshops changed and cancelled: everything until a ticket is validated, then only what the validations allow."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import workshops
from partner_site.domain.clock import local_today, to_local
from partner_site.domain.codes import format_serial
from partner_site.domain.errors import DomainError
from partner_site.extensions import db
from partner_site.models import AuditEvent, Workshop


def _form(workshop, **changes):
    """What the edit page posts when nothing is changed, with `changes` on top."""
    start = to_local(workshop.starts_at)
    minutes = round((workshop.ends_at - workshop.starts_at).total_seconds() / 60)
    return {"theme": "other", "other_theme": workshop.title, "day": start.date().isoformat(),
            "start": start.strftime("%H:%M"), "duration": str(minutes), "commune": "", "place": workshop.place,
            "capacity": str(workshop.capacity), "tickets_per_participant": str(workshop.tickets_per_participant),
            **changes}


def _events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _fresh(workshop):
    found = db.session.get(Workshop, workshop.id)
    db.session.refresh(found)
    return found


def test_before_any_validation_everything_changes_and_leaves_an_audit_event(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    client = login(trainer)
    page = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'checked id="theme-2"' in page and 'name="other_theme" type="text" value=""' in page  # common theme
    tomorrow = local_today() + timedelta(days=1)
    response = client.form(f"/workshops/{workshop.id}/edit", _form(
        workshop, theme="0", day=tomorrow.isoformat(), start="14:00", duration="90", commune="Aspet",
        place="Médiathèque", capacity="6", tickets_per_participant="2"))
    assert response.status_code == 302
    changed = _fresh(workshop)
    assert (to_local(changed.starts_at).date(), to_local(changed.starts_at).hour) == (tomorrow, 14)
    assert changed.ends_at - changed.starts_at == timedelta(minutes=90)
    assert (changed.title, changed.place, changed.commune_insee, changed.capacity, changed.tickets_per_participant) == (
        "Créer et utiliser une adresse e-mail", "Médiathèque", "31020", 6, 2)
    (event,) = _events("workshop.updated")
    assert event.actor_id == trainer.id
    assert json.loads(event.before)["capacity"] == 10 and json.loads(event.after)["capacity"] == 6


def test_before_any_validation_the_day_rules_of_creation_hold(app, factory):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    yesterday = workshop.starts_at - timedelta(days=1)
    with pytest.raises(DomainError) as past:
        workshops.update_workshop(trainer, workshop, starts_at=yesterday, ends_at=yesterday + timedelta(hours=2))
    assert "jour passé" in past.value.message
    far = workshop.starts_at + timedelta(days=400)
    with pytest.raises(DomainError) as ahead:
        workshops.update_workshop(trainer, workshop, starts_at=far, ends_at=far + timedelta(hours=2))
    assert "un an à l'avance" in ahead.value.message
    db.session.rollback()
    assert _fresh(workshop).starts_at == workshop.starts_at and _events("workshop.updated") == []


def test_after_validations_title_place_and_places_change_but_not_the_dates(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    client = login(trainer)
    assert client.redeem(workshop, factory.tickets()[0]).status_code == 201
    page = client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert "seuls le thème, le lieu et le nombre de places" in page
    ok = client.form(f"/workshops/{workshop.id}/edit", _form(workshop, other_theme="Atelier renommé",
                                                              place="Salle B", capacity="4"))
    assert ok.status_code == 302
    assert (_fresh(workshop).title, _fresh(workshop).place, _fresh(workshop).capacity) == ("Atelier renommé", "Salle B", 4)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    refused = client.form(f"/workshops/{workshop.id}/edit", _form(_fresh(workshop), day=tomorrow, start="10:00"))
    assert refused.status_code == 200
    assert "sa date et ses horaires ne peuvent plus changer" in refused.get_data(as_text=True)
    assert to_local(_fresh(workshop).starts_at).date() == local_today()
    assert len(_events("workshop.updated")) == 1


def test_after_validations_places_cannot_fall_below_the_tickets_validated(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner, capacity=5, tickets_per_participant=1)
    client = login(trainer)
    for _ in range(3):  # three participants, three booklets
        assert client.redeem(workshop, factory.tickets()[0]).status_code == 201
    refused = client.form(f"/workshops/{workshop.id}/edit", _form(_fresh(workshop), capacity="2"))
    assert "3 tickets ont déjà été validés" in refused.get_data(as_text=True)
    assert _fresh(workshop).capacity == 5
    with pytest.raises(DomainError) as refusal:
        workshops.update_workshop(trainer, _fresh(workshop), capacity=1, tickets_per_participant=2)
    assert refusal.value.reason == "workshop_has_validations"
    db.session.rollback()
    workshops.update_workshop(trainer, _fresh(workshop), capacity=3)
    db.session.commit()
    assert _fresh(workshop).max_tickets == 3


def test_cancelling_with_live_validations_is_refused_and_lists_them(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    tickets = [factory.tickets()[0] for _ in range(3)]
    client = login(trainer)
    ids = [client.redeem(workshop, t).get_json()["id"] for t in tickets]
    client.delete(f"/api/v1/redemptions/{ids[1]}")  # undone: nothing to list
    page = client.form(f"/workshops/{workshop.id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "ne peut pas être annulé" in page and "le jour même" in page and "Département" in page
    assert format_serial(tickets[0].serial) in page and format_serial(tickets[2].serial) in page
    assert format_serial(tickets[1].serial) not in page
    assert "Confirmer l'annulation" not in page
    with pytest.raises(DomainError) as refusal:
        workshops.cancel_workshop(trainer, _fresh(workshop))
    assert refusal.value.details["serials"] == [format_serial(tickets[0].serial), format_serial(tickets[2].serial)]
    db.session.rollback()
    assert _fresh(workshop).cancelled_at is None and _events("workshop.cancelled") == []


def test_a_cancelled_workshop_refuses_scans_and_says_so(app, factory, login):
    manager = factory.user("manager")
    workshop = factory.workshop(manager.partner, title="Atelier du jour")
    client = login(manager)
    confirm = client.get(f"/workshops/{workshop.id}/cancel").get_data(as_text=True)
    assert 'csrf_token' in confirm and "Confirmer l'annulation" in confirm and "<script>" not in confirm
    response = client.form(f"/workshops/{workshop.id}/cancel", follow_redirects=True)
    assert "Atelier « Atelier du jour » annulé." in response.get_data(as_text=True)
    assert "Annulé" in response.get_data(as_text=True)
    assert _fresh(workshop).cancelled_at is not None
    (event,) = _events("workshop.cancelled")
    assert event.actor_id == manager.id
    refused = client.redeem(workshop, factory.tickets()[0])
    assert refused.status_code >= 400 and refused.get_json()["reason"] == "workshop_not_open"
    assert "Annulé" in client.get("/workshops/all").get_data(as_text=True)
    assert "Annulé" in client.get(f"/workshops/{workshop.id}/attendance").get_data(as_text=True)
    assert "Atelier du jour" not in client.get("/workshops/").get_data(as_text=True)
    again = client.form(f"/workshops/{workshop.id}/cancel", follow_redirects=True)
    assert "Cet atelier est déjà annulé." in again.get_data(as_text=True)
    assert len(_events("workshop.cancelled")) == 1
    edit = client.get(f"/workshops/{workshop.id}/edit", follow_redirects=True)
    assert "Cet atelier est annulé" in edit.get_data(as_text=True)


def test_another_associations_manager_gets_not_found(app, factory, login):
    a_trainer = factory.user("trainer")
    workshop = factory.workshop(a_trainer.partner, title="Atelier de A")
    manager_b = login(factory.user("manager", factory.partner(name="Association B")))
    for response in (manager_b.get(f"/workshops/{workshop.id}/edit"),
                     manager_b.form(f"/workshops/{workshop.id}/edit", _form(workshop, other_theme="Pris par B")),
                     manager_b.get(f"/workshops/{workshop.id}/cancel"),
                     manager_b.form(f"/workshops/{workshop.id}/cancel")):
        assert response.status_code == 404
        assert "Atelier de A" not in response.get_data(as_text=True)
    unchanged = _fresh(workshop)
    assert (unchanged.title, unchanged.cancelled_at) == ("Atelier de A", None)
    assert _events("workshop.updated") == [] and _events("workshop.cancelled") == []


def test_text_typed_by_users_is_shown_literally(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    client = login(trainer)
    client.form(f"/workshops/{workshop.id}/edit", _form(workshop, other_theme="<b>Gras</b>", place="<i>Salle</i>"))
    assert _fresh(workshop).title == "<b>Gras</b>"
    for url in (f"/workshops/{workshop.id}/edit", f"/workshops/{workshop.id}/cancel", f"/workshops/{workshop.id}/scan"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;b&gt;Gras&lt;/b&gt;" in page and "<b>Gras</b>" not in page, url
    assert "<i>Salle</i>" not in client.get(f"/workshops/{workshop.id}/edit").get_data(as_text=True)


def test_edit_and_cancel_posts_need_the_csrf_token(app, factory, login):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    client = login(trainer)
    assert client.client.post(f"/workshops/{workshop.id}/cancel").status_code == 400
    assert client.client.post(f"/workshops/{workshop.id}/edit", data=_form(workshop, place="X")).status_code in (200, 400)
    assert _fresh(workshop).cancelled_at is None and _fresh(workshop).place == "Salle des fêtes"
