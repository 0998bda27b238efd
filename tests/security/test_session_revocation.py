"""Sessions end on the server: a copied cookie stops working after logout, deactivation (even once the
account is reactivated) and a password change; sessions have an idle and an absolute lifetime; the
CSRF token changes at login; no remember cookie."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import Role, UserSession, utcnow


def _copy(client):
    """Another browser holding a copy of this one's session cookie (as a thief would)."""
    thief = client.client.application.test_client()
    thief.set_cookie("session", client.client.get_cookie("session").value)
    return thief


def _signed_in(browser) -> bool:
    api = browser.get("/api/v1/workshops")
    page = browser.get("/workshops/")
    assert (api.status_code == 200) == (page.status_code == 200)
    return api.status_code == 200


@pytest.fixture
def trainer(factory):
    return factory.user(Role.TRAINER)


def test_a_copied_cookie_is_refused_after_logout(app, trainer, login):
    client = login(trainer)
    thief = _copy(client)
    assert _signed_in(thief)
    assert client.form("/logout").status_code == 302
    assert not _signed_in(thief)
    assert thief.get("/api/v1/workshops").status_code == 401
    assert "/login" in thief.get("/workshops/").headers["Location"]


def test_a_copied_cookie_is_refused_after_deactivation_even_once_reactivated(app, factory, trainer, login):
    thief = _copy(login(trainer))
    boss = login(factory.user(Role.MANAGER, trainer.partner))
    assert boss.form(f"/team/members/{trainer.id}/deactivate").status_code == 302
    assert not _signed_in(thief)
    assert boss.form(f"/team/members/{trainer.id}/reactivate").status_code == 302
    assert not _signed_in(thief)
    assert _signed_in(login(trainer).client)  # the person signs in again, with a new session


def test_the_administrator_deactivating_an_account_ends_its_sessions(app, factory, trainer, login):
    thief = _copy(login(trainer))
    admin = login(factory.user(Role.ADMIN))
    assert admin.form(f"/bo/staff/{trainer.id}/deactivate").status_code == 302
    assert admin.form(f"/bo/staff/{trainer.id}/reactivate").status_code == 302
    assert not _signed_in(thief)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, factory, trainer, login):
    phone, laptop = login(trainer), login(trainer)
    response = laptop.form("/account/password", {"current": factory.PASSWORD, "password": "un-nouveau-mot-de-passe",
                                                 "confirm": "un-nouveau-mot-de-passe"})
    assert response.status_code == 302
    assert _signed_in(laptop.client) and not _signed_in(phone.client)
    assert _signed_in(login(trainer, "un-nouveau-mot-de-passe").client)


def test_the_cookie_carries_a_random_token_whose_hash_alone_is_stored(app, trainer, login):
    client = login(trainer)
    session = app.session_interface.get_signing_serializer(app).loads(client.client.get_cookie("session").value)
    token = session["_user_id"]
    assert len(token) >= 40 and str(trainer.id) != token
    stored = db.session.execute(sa.select(UserSession.token_hash).where(UserSession.user_id == trainer.id)).scalars()
    assert [token not in h and len(h) == 64 for h in stored] == [True]
    assert client.client.get_cookie("remember_token") is None


def test_the_csrf_token_given_before_login_is_refused_after_it(app, trainer, factory):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    before = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": trainer.email, "password": factory.PASSWORD,
                                       "csrf_token": before}).status_code == 302
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400 and "Formulaire expiré" in refused.get_data(as_text=True)


def _age(user, **changes):
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user.id).values(**changes))
    db.session.commit()


def test_a_trainer_session_survives_a_workshop_day_without_a_scan_but_not_a_night_and_a_day(app, trainer, login):
    client = login(trainer)
    _age(trainer, last_seen_at=utcnow() - timedelta(hours=11))
    assert _signed_in(client.client)
    _age(trainer, last_seen_at=utcnow() - timedelta(hours=12, minutes=1))
    assert not _signed_in(client.client)


def test_a_staff_session_ends_after_half_an_hour_idle(app, factory, login):
    instructor = factory.user(Role.INSTRUCTOR)
    client = login(instructor)
    assert client.get("/bo/campaigns").status_code == 200
    _age(instructor, last_seen_at=utcnow() - timedelta(minutes=31))
    assert "/login" in client.get("/bo/campaigns").headers["Location"]


def test_a_session_ends_at_its_absolute_lifetime_however_active(app, trainer, login):
    client = login(trainer)
    session = db.session.execute(sa.select(UserSession).where(UserSession.user_id == trainer.id)).scalar_one()
    assert session.expires_at - session.created_at == timedelta(days=7)
    _age(trainer, expires_at=utcnow() - timedelta(seconds=1))
    assert not _signed_in(client.client)


def test_one_statement_loads_the_person_and_last_seen_is_written_at_most_every_five_minutes(app, trainer, login):
    client = login(trainer)
    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        for _ in range(3):
            assert client.get("/api/v1/workshops").status_code == 200
        about_sessions = [s for s in statements if "user_sessions" in s]
        assert len(about_sessions) == 3 and not any(s.lstrip().upper().startswith("UPDATE") for s in about_sessions)
        assert all("JOIN" in s and "users" in s for s in about_sessions)
        _age(trainer, last_seen_at=utcnow() - timedelta(minutes=6))
        statements.clear()
        assert client.get("/api/v1/workshops").status_code == 200
        assert sum(s.lstrip().upper().startswith("UPDATE USER_SESSIONS") for s in statements) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    seen = db.session.execute(sa.select(UserSession.last_seen_at).where(UserSession.user_id == trainer.id)).scalar()
    assert utcnow() - seen < timedelta(minutes=1)
