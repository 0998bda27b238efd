"""The manager's team: invite a trainer by a one-time link e-mailed to them that expires, deactivate and reactivate."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import invitations
from partner_site.domain.errors import DomainError
from partner_site.extensions import db
from partner_site.models import AuditEvent, Invitation, Role, User, utcnow

from .helpers import link_sent_to, messages_to, path_of

PASSWORD = "un-mot-de-passe-solide"


def _invite(client, email="nouvelle@example.org", name="Nora Nouvelle") -> str:
    """Invite through the page and return the link e-mailed to the invited address."""
    response = client.form("/team/invitations", {"email": email, "full_name": name})
    assert response.status_code == 302
    return link_sent_to(email)


def _accept(app, link, password=PASSWORD, confirm=None, name="Nora Nouvelle", client=None):
    """Open the link in a browser of its own and fill in the form."""
    client = client or app.test_client()
    path = path_of(link)
    page = client.get(path)
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(path, data={"full_name": name, "password": password, "confirm": confirm or password,
                                   "csrf_token": token})


@pytest.fixture
def manager(factory):
    return factory.user("manager", factory.partner(name="Les Clics d'Aurignac"))


def test_an_invited_trainer_sets_a_password_joins_the_association_and_is_logged_in(app, manager, login):
    client = login(manager)
    link = _invite(client)
    assert link.startswith("http://127.0.0.1:5000/invitation/")  # SITE_URL, never the request's Host
    assert "/invitation/" not in client.get("/team/").get_data(as_text=True)  # only the invited person has it
    (message,) = messages_to("nouvelle@example.org")
    assert message.kind == "invitation" and message.partner_id == manager.partner_id
    fresh = app.test_client()
    response = _accept(app, link, client=fresh)
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.email == "nouvelle@example.org")).scalar_one()
    assert (user.role, user.partner_id, user.full_name) == (Role.TRAINER, manager.partner_id, "Nora Nouvelle")
    assert user.check_password(PASSWORD)
    assert "Les Clics d&#39;Aurignac" in fresh.get("/workshops/").get_data(as_text=True)
    actions = db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert ["invitation.created", "invitation.accepted", "user.created"] == [
        a for a in actions if a.startswith(("invitation", "user.created"))]


def test_an_invitation_link_works_only_once(app, manager, login):
    link = _invite(login(manager))
    assert _accept(app, link).status_code == 302
    again = _accept(app, link, name="Quelqu'un d'autre")
    assert again.status_code == 404
    assert "n&#39;est plus valable" in again.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(User).where(
        User.email == "nouvelle@example.org")).scalar() == 1


def test_an_expired_invitation_is_refused(app, manager, login):
    link = _invite(login(manager))
    db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert _accept(app, link).status_code == 404
    assert db.session.execute(sa.select(User).where(User.email == "nouvelle@example.org")).first() is None


def test_a_revoked_invitation_is_refused_and_leaves_the_pending_list(app, manager, login):
    client = login(manager)
    link = _invite(client)
    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    assert "Invitations en attente" in client.get("/team/").get_data(as_text=True)
    assert client.form(f"/team/invitations/{invitation.id}/revoke").status_code == 302
    assert "Invitations en attente" not in client.get("/team/").get_data(as_text=True)
    assert _accept(app, link).status_code == 404


def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(app, manager, login):
    link = _invite(login(manager))
    short = _accept(app, link, password="court")
    assert "au moins 10 caractères" in short.get_data(as_text=True)
    mistyped = _accept(app, link, confirm="un-autre-mot-de-passe")
    assert "ne sont pas identiques" in mistyped.get_data(as_text=True)
    assert _accept(app, link).status_code == 302


def test_an_unknown_token_is_refused(app, client):
    response = client.get("/invitation/" + "x" * 43)
    assert response.status_code == 404
    assert "demandez-en un nouveau" in response.get_data(as_text=True)


def test_a_person_who_already_has_an_account_gets_a_notice_and_no_link(app, factory, manager, login):
    factory.user("trainer", email="deja@example.org")
    client = login(manager)
    client.form("/team/invitations", {"email": "Deja@Example.org", "full_name": "Déjà Là"})
    (notice,) = messages_to("deja@example.org")
    assert notice.kind == "account_exists" and "/invitation/" not in notice.body
    assert "un compte existe déjà pour cette adresse" in notice.body and "/password/forgot" in notice.body


def _token(invitation_email: str) -> str:
    return link_sent_to(invitation_email).rsplit("/", 1)[1]


def test_only_a_hash_of_the_token_is_stored(app, manager):
    invitation = invitations.invite_trainer(manager, email="n@example.org", full_name="N")
    db.session.commit()
    token = _token("n@example.org")
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitations.usable_invitation(token).id == invitation.id


def test_an_invitation_expires_after_72_hours(app, manager):
    invitation = invitations.invite_trainer(manager, email="n@example.org", full_name="N")
    token = _token("n@example.org")
    assert invitations.usable_invitation(token, now=invitation.created_at + timedelta(hours=71)).id == invitation.id
    with pytest.raises(DomainError) as refused:
        invitations.usable_invitation(token, now=invitation.created_at + timedelta(hours=72))
    assert refused.value.reason == "invitation_invalid"


def test_a_deactivated_trainer_is_signed_out_and_cannot_log_in_until_reactivated(app, factory, manager, login):
    trainer = factory.user("trainer", manager.partner, email="camille@example.org")
    session = login(trainer)
    assert session.get("/workshops/").status_code == 200
    boss = login(manager)
    assert boss.form(f"/team/members/{trainer.id}/deactivate").status_code == 302
    assert session.get("/workshops/").status_code == 302  # back to the login page
    assert session.post("/api/v1/redemptions", json={}).status_code == 401
    with pytest.raises(AssertionError):
        login(trainer)
    assert "Désactivé" in boss.get("/team/").get_data(as_text=True)
    assert boss.form(f"/team/members/{trainer.id}/reactivate").status_code == 302
    assert login(trainer).get("/workshops/").status_code == 200
    actions = db.session.execute(sa.select(AuditEvent.action).where(
        AuditEvent.object_id == str(trainer.id), AuditEvent.action.like("user.%activated")).order_by(AuditEvent.id))
    assert actions.scalars().all() == ["user.deactivated", "user.reactivated"]


def test_a_manager_cannot_touch_another_associations_people(app, factory, manager, login):
    other = factory.partner()
    their_trainer = factory.user("trainer", other)
    their_invitation = invitations.invite_trainer(factory.user("manager", other), email="b@example.org",
                                                  full_name="B")
    db.session.commit()
    their_token = _token("b@example.org")
    client = login(manager)
    assert client.form(f"/team/members/{their_trainer.id}/deactivate").status_code == 404
    assert client.form(f"/team/invitations/{their_invitation.id}/revoke").status_code == 404
    page = client.get("/team/").get_data(as_text=True)
    assert their_trainer.email not in page and "b@example.org" not in page
    db.session.refresh(their_trainer)
    assert their_trainer.active
    assert invitations.usable_invitation(their_token).id == their_invitation.id


def test_a_manager_cannot_deactivate_another_manager_here(app, factory, manager, login):
    colleague = factory.user("manager", manager.partner)
    assert login(manager).form(f"/team/members/{colleague.id}/deactivate").status_code == 403
    db.session.refresh(colleague)
    assert colleague.active


def test_the_invitation_form_is_rate_limited(app, manager, make_app):
    invitations.invite_trainer(manager, email="n@example.org", full_name="N")
    db.session.commit()
    token = _token("n@example.org")
    limited = make_app(RATELIMIT_ENABLED=True)
    answers = [_accept(limited, f"http://x/invitation/{token}", password="court").status_code for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429
