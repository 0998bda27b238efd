"""Accounts: a forgotten password by an e-mailed link, changing one's password, recovery codes, and the
staff administrator's pages (invite staff, roles, deactivation, searching an association's people)."""
import html
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import AuditEvent, PasswordReset, Role, User, UserSession, utcnow

from .helpers import csrf_in, link_sent_to, messages_to, path_of

NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"


def _forgot(client, email):
    token = csrf_in(client.get("/password/forgot").get_data(as_text=True))
    response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    response.close()  # as a WSGI server does once the answer is sent: the e-mail leaves then
    return html.unescape(client.get("/login").get_data(as_text=True))


def _reset(client, link, password=NEW_PASSWORD):
    path = path_of(link)
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_in(page.get_data(as_text=True))})


def test_a_forgotten_password_is_replaced_through_a_one_time_emailed_link(app, factory, login, client):
    trainer = factory.user(Role.TRAINER, email="camille@asso.example")
    other_browser = login(trainer)
    known = _forgot(client, "Camille@Asso.example")
    unknown = _forgot(client, "personne@asso.example")
    assert "Si un compte existe pour camille@asso.example" in known
    # Same page but for the address (and the CSRF token, whose signed timestamp may tick between the two).
    same = [re.sub(r'(csrf[-_]token"?[^>]*?(?:value|content)=")[^"]+', r"\1T", page.replace(address, "X"))
            for page, address in ((known, "camille@asso.example"), (unknown, "personne@asso.example"))]
    assert same[0] == same[1]
    assert messages_to("personne@asso.example") == []
    (message,) = messages_to("camille@asso.example")
    assert message.kind == "password_reset" and "30 minutes" in message.body
    link = link_sent_to("camille@asso.example")
    assert link.startswith("http://127.0.0.1:5000/password/reset/")
    token = link.rsplit("/", 1)[1]
    assert db.session.execute(sa.select(PasswordReset.token_hash)).scalar_one() != token
    assert _reset(app.test_client(), link).status_code == 302
    assert other_browser.get("/workshops/").status_code == 302  # every session ended
    assert login(trainer, NEW_PASSWORD).get("/workshops/").status_code == 200
    again = _reset(app.test_client(), link, "encore-un-autre-mot-de-passe")
    assert again.status_code == 404 and "Mot de passe oublié" in html.unescape(again.get_data(as_text=True))


def test_a_reset_link_expires_after_30_minutes(app, factory, client):
    factory.user(Role.MANAGER, email="m@asso.example")
    _forgot(client, "m@asso.example")
    db.session.execute(sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _reset(app.test_client(), link_sent_to("m@asso.example")).status_code == 404


def test_a_deactivated_account_gets_no_reset_link(app, factory, client):
    factory.user(Role.TRAINER, email="parti@asso.example", active=False)
    assert "Si un compte existe pour parti@asso.example" in _forgot(client, "parti@asso.example")
    assert messages_to("parti@asso.example") == []


def test_links_in_emails_use_site_url_whatever_the_host_header(app, factory, client):
    factory.user(Role.TRAINER, email="t@asso.example")
    forged = {"Host": "evil.example"}
    token = csrf_in(client.get("/password/forgot", headers=forged).get_data(as_text=True))
    sent = client.post("/password/forgot", data={"email": "t@asso.example", "csrf_token": token}, headers=forged)
    assert sent.status_code == 302
    assert link_sent_to("t@asso.example").startswith("http://127.0.0.1:5000/")


def test_the_forgotten_password_form_is_rate_limited_per_address(app, factory, make_app):
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    answers = []
    for _ in range(4):
        token = csrf_in(limited.get("/password/forgot").get_data(as_text=True))
        answers.append(limited.post("/password/forgot", data={"email": "x@asso.example", "csrf_token": token})
                       .status_code)
    assert answers == [302, 302, 302, 429]


def test_changing_ones_password_asks_the_current_one(app, factory, login):
    client = login(factory.user(Role.MANAGER))
    wrong = client.form("/account/password", {"current": "pas-le-bon", "password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert wrong.status_code == 200 and "Mot de passe actuel incorrect" in wrong.get_data(as_text=True)
    short = client.form("/account/password", {"current": factory.PASSWORD, "password": "court", "confirm": "court"})
    assert "au moins 10 caractères" in html.unescape(short.get_data(as_text=True))
    assert client.get("/account/").status_code == 200


def test_staff_renew_their_recovery_codes_with_their_password(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    assert "Codes de secours" in client.get("/account/").get_data(as_text=True)
    refused = client.form("/account/recovery-codes", {"password": "pas-le-bon"})
    assert refused.status_code == 200 and "Mot de passe incorrect" in refused.get_data(as_text=True)
    renewed = client.form("/account/recovery-codes", {"password": factory.PASSWORD}).get_data(as_text=True)
    assert len(re.findall(r"<code>[A-Z2-9-]{19}</code>", renewed)) == 10
    assert "Codes de secours" not in login(factory.user(Role.TRAINER)).get("/account/").get_data(as_text=True)


@pytest.fixture
def admin(factory, login):
    return login(factory.user(Role.ADMIN, email="admin@cd31.example"))


def test_the_administrator_invites_a_finance_officer_who_joins_and_enrols(app, admin):
    admin.form("/bo/staff/invitations", {"full_name": "Fanny Finances", "email": "fanny@cd31.example",
                                         "role": "finance"})
    page = html.unescape(admin.get("/bo/staff/").get_data(as_text=True))
    assert "fanny@cd31.example · Payeur" in page and "Invitations en attente" in page
    (message,) = messages_to("fanny@cd31.example")
    assert "l'équipe du Département (Payeur)" in message.body and message.partner_id is None


def test_the_administrator_cancels_a_staff_invitation(app, admin):
    admin.form("/bo/staff/invitations", {"full_name": "F", "email": "f@cd31.example", "role": "instructor"})
    link = link_sent_to("f@cd31.example")
    invitation_id = int(re.search(r"/bo/staff/invitations/(\d+)/revoke", admin.get("/bo/staff/").get_data(
        as_text=True)).group(1))
    assert admin.form(f"/bo/staff/invitations/{invitation_id}/revoke").status_code == 302
    assert app.test_client().get(path_of(link)).status_code == 404


def test_a_role_change_ends_the_persons_sessions_and_nobody_changes_their_own(app, factory, admin, login):
    instructor = factory.user(Role.INSTRUCTOR)
    signed_in = login(instructor)
    assert admin.form(f"/bo/staff/{instructor.id}/role", {"role": "finance"}).status_code == 302
    db.session.refresh(instructor)
    assert instructor.role == Role.FINANCE
    assert "/login" in signed_in.get("/bo/campaigns").headers["Location"]
    me = db.session.execute(sa.select(User).where(User.email == "admin@cd31.example")).scalar_one()
    refused = admin.form(f"/bo/staff/{me.id}/role", {"role": "finance"}, follow_redirects=True)
    assert "propre rôle" in html.unescape(refused.get_data(as_text=True))
    refused = admin.form(f"/bo/staff/{me.id}/deactivate", follow_redirects=True)
    assert "votre propre compte" in html.unescape(refused.get_data(as_text=True))
    db.session.refresh(me)
    assert me.role == Role.ADMIN and me.active


def test_the_last_active_administrator_stays_one(app, factory, admin, login):
    other = factory.user(Role.ADMIN)
    second = login(other)
    assert second.form("/bo/staff/{}/role".format(_id("admin@cd31.example")), {"role": "instructor"}).status_code == 302
    db.session.refresh(other)
    page = admin.form(f"/bo/staff/{other.id}/role", {"role": "finance"})  # signed out by the role change
    assert "/login" in page.headers["Location"]
    assert db.session.execute(sa.select(sa.func.count()).where(User.role == Role.ADMIN)).scalar_one() == 1


def _id(email):
    return db.session.execute(sa.select(User.id).where(User.email == email)).scalar_one()


def test_the_administrator_finds_and_deactivates_an_associations_trainer(app, factory, admin):
    partner = factory.partner(name="Les Clics d'Aurignac")
    trainer = factory.user(Role.TRAINER, partner, email="camille@clics.example", full_name="Camille <b>Test</b>")
    found = admin.get("/bo/staff/?q=clics").get_data(as_text=True)
    assert "camille@clics.example" in found and "Camille &lt;b&gt;Test&lt;/b&gt;" in found
    assert "Aucun compte ne correspond" in admin.get("/bo/staff/?q=%25").get_data(as_text=True)  # % is no wildcard
    assert admin.form(f"/bo/staff/{trainer.id}/deactivate").status_code == 302
    db.session.refresh(trainer)
    assert not trainer.active
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivated")).scalar_one()
    assert event.actor_label == "admin@cd31.example"


def test_the_administrator_reads_the_journal_but_no_programme_page(app, admin):
    assert admin.get("/bo/audit").status_code == 200
    for path in ("/bo/requests", "/bo/campaigns", "/staff/claims/", "/finance/", "/bo/"):
        assert admin.get(path).status_code == 403, path
    assert admin.get("/").headers["Location"].endswith("/bo/staff/")


def test_the_command_line_creates_an_administrator_and_resets_a_second_factor(app, runner, factory):
    created = runner.invoke(args=["users", "create", "--email", "a2@cd31.example", "--password", "0123456789ab",
                                  "--role", "admin"])
    assert created.exit_code == 0 and json.loads(created.output)["role"] == "admin"
    finance = factory.user(Role.FINANCE, email="f@cd31.example")
    done = runner.invoke(args=["users", "reset-second-factor", "f@cd31.example"])
    assert done.exit_code == 0
    db.session.refresh(finance)
    assert finance.totp_secret is None
    assert runner.invoke(args=["users", "reset-second-factor", "nobody@cd31.example"]).exit_code != 0


def test_users_outbox_prints_the_links_for_a_tester(app, factory, client, runner):
    factory.user(Role.TRAINER, email="t@asso.example")
    _forgot(client, "t@asso.example")
    printed = runner.invoke(args=["users", "outbox", "t@asso.example"]).output
    assert link_sent_to("t@asso.example") in printed


def test_signing_in_keeps_no_dead_sessions(app, factory, login):
    trainer = factory.user(Role.TRAINER)
    for _ in range(3):
        login(trainer).form("/logout")
    login(trainer)
    assert db.session.execute(sa.select(sa.func.count()).where(UserSession.user_id == trainer.id)).scalar_one() == 1


def test_with_smtp_the_reset_link_is_emailed_once_the_answer_is_sent(app, factory, client):
    from .smtp_sink import SmtpSink

    factory.user(Role.TRAINER, email="t@asso.example")
    with SmtpSink() as sink:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        _forgot(client, "t@asso.example")
    (mail,) = sink.messages
    assert mail["To"] == "t@asso.example" and link_sent_to("t@asso.example") in mail.get_content()
    assert messages_to("t@asso.example")[0].sent_at is not None
