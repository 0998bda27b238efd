"""The invitation forms answer the same whether or not the address already has an account (staff
included); the holder of the existing account is told by a message instead of getting a link."""
import html
import re

import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import Notification, Role

EXISTING = "payeur@cd31.example"
NEW = "nouvelle@exemple.org"


def _answer(client, url, data, email, back) -> str:
    """Post an invitation form and return what the inviter then sees, with the address blanked out."""
    response = client.form(url, {**data, "email": email})
    assert response.status_code == 302
    page = html.unescape(client.get(back).get_data(as_text=True))
    page = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|<meta name="csrf-token" content="[^"]+">', "", page)
    return page.replace(email, "ADDRESS")


def _messages(email):
    db.session.expire_all()
    return db.session.execute(sa.select(Notification.kind, Notification.subject, Notification.body).where(
        Notification.recipient == email)).all()


def _same_answer_and_a_notice(client, url, data, back):
    new = _answer(client, url, data, NEW, back)
    existing = _answer(client, url, data, EXISTING, back)
    first, second = new.index("ADDRESS"), existing.index("ADDRESS")
    assert new[first - 200:first + 200] == existing[second - 200:second + 200]
    assert new.count("ADDRESS") == existing.count("ADDRESS")
    assert "Invitation envoyée à ADDRESS" in new
    ((kind, subject, body),) = _messages(EXISTING)
    ((new_kind, new_subject, new_body),) = _messages(NEW)
    assert (kind, new_kind) == ("account_exists", "invitation") and subject == new_subject
    assert "/invitation/" in new_body and "/invitation/" not in body and "un compte existe déjà" in body


def test_a_manager_inviting_a_trainer_learns_nothing_about_existing_accounts(app, factory, login):
    factory.user(Role.FINANCE, email=EXISTING)
    manager = login(factory.user(Role.MANAGER))
    _same_answer_and_a_notice(manager, "/team/invitations", {"full_name": "Nora"}, "/team/")


def test_an_instructor_inviting_a_manager_learns_nothing_about_existing_accounts(app, factory, login):
    factory.user(Role.FINANCE, email=EXISTING)
    partner = factory.partner()
    instructor = login(factory.user(Role.INSTRUCTOR))
    _same_answer_and_a_notice(instructor, f"/bo/partners/{partner.id}/invite",
                              {"full_name": "Nora", "role": "manager"}, f"/bo/partners/{partner.id}")


def test_the_administrator_inviting_staff_gets_the_same_answer_for_an_existing_address(app, factory, login):
    factory.user(Role.TRAINER, email=EXISTING)
    admin = login(factory.user(Role.ADMIN))
    _same_answer_and_a_notice(admin, "/bo/staff/invitations", {"full_name": "Nora", "role": "finance"}, "/bo/staff/")


def test_staff_do_not_read_account_messages_in_the_outbox(app, factory, login):
    factory.user(Role.TRAINER, email=EXISTING)
    login(factory.user(Role.MANAGER)).form("/team/invitations", {"full_name": "N", "email": EXISTING})
    page = login(factory.user(Role.INSTRUCTOR)).get("/staff/claims/outbox").get_data(as_text=True)
    assert EXISTING not in page and "Aucun message" in page
