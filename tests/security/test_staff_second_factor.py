"""Staff (administrators, instructors, finance) sign in with a password and a TOTP code; partners with a
password. Enrolment from a QR code at the first sign-in, recovery codes, no replay of a code."""
import base64
import io
import re

import pyotp
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from partner_site.domain import second_factor
from partner_site.extensions import db
from partner_site.models import AuditEvent, RecoveryCode, Role, User

from ..helpers import csrf_in, pass_second_step

STAFF = [Role.ADMIN, Role.INSTRUCTOR, Role.FINANCE]


def _password(app, user, password):
    client = app.test_client()
    token = csrf_in(client.get("/login").get_data(as_text=True))
    return client, client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})


def _code_step(client, code, path="/login/code"):
    token = csrf_in(client.get(path).get_data(as_text=True))
    return client.post(path, data={"code": code, "csrf_token": token})


def _now_code(user) -> str:
    db.session.refresh(user)
    return pyotp.TOTP(user.totp_secret).now()


@pytest.mark.parametrize("role", STAFF)
def test_a_password_alone_does_not_sign_staff_in(app, factory, role):
    user = factory.user(role)
    client, response = _password(app, user, factory.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    for path in ("/", "/bo/campaigns", "/bo/staff/", "/account/"):
        assert "/login" in client.get(path).headers["Location"], path
    assert client.get("/api/v1/workshops").status_code == 401
    assert _code_step(client, "000000").status_code == 200  # a wrong code: still not signed in
    assert "/login" in client.get("/").headers["Location"]


def test_partners_sign_in_with_a_password_only(app, factory):
    _client, response = _password(app, factory.user(Role.TRAINER), factory.PASSWORD)
    assert response.headers["Location"].endswith("/")


def test_a_wrong_password_never_reaches_the_second_step(app, factory):
    client, response = _password(app, factory.user(Role.FINANCE), "not-the-password")
    assert response.status_code == 200
    assert "/login" in client.get("/login/code").headers["Location"]


def test_staff_enrol_at_their_first_sign_in_from_a_qr_code_then_get_ten_recovery_codes(app, factory):
    user = factory.user(Role.FINANCE, enrolled=False, email="paul@cd31.example")
    client, response = _password(app, user, factory.PASSWORD)
    assert response.headers["Location"].endswith("/login/enrol")
    page = client.get("/login/enrol")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1))
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    uri = decoded.text
    assert uri.startswith("otpauth://totp/") and "paul%40cd31.example" in uri and "issuer=Pass%20num" in uri
    secret = pyotp.parse_uri(uri).secret
    assert secret.replace(" ", "") == re.search(r'<code class="secret">([^<]+)</code>', html).group(1).replace(" ", "")
    assert _code_step(client, "123456", "/login/enrol").status_code == 200  # a wrong first code enrols nothing
    db.session.refresh(user)
    assert user.totp_enrolled_at is None
    done = _code_step(client, pyotp.TOTP(secret).now(), "/login/enrol")
    codes = re.findall(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10 and done.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/workshops").status_code == 403  # signed in (finance has no workshops)
    stored = db.session.execute(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).scalars()
    assert not {c.replace("-", "") for c in codes} & set(stored)  # only hashes are kept


def test_a_code_cannot_be_used_twice(app, factory):
    user = factory.user(Role.INSTRUCTOR)
    code = _now_code(user)
    first, _ = _password(app, user, factory.PASSWORD)
    assert _code_step(first, code).status_code == 302
    second, _ = _password(app, user, factory.PASSWORD)
    replay = _code_step(second, code)
    assert replay.status_code == 200 and "déjà utilisé" in replay.get_data(as_text=True)
    assert "/login" in second.get("/").headers["Location"]
    assert db.session.execute(sa.select(sa.func.count()).where(
        AuditEvent.action == "user.second_factor_refused")).scalar_one() == 1


def test_an_older_code_is_refused_once_a_later_one_was_used(app, factory):
    user = factory.user(Role.INSTRUCTOR)
    totp, step = pyotp.TOTP(user.totp_secret), second_factor.current_step()
    assert second_factor.verify(user, totp.generate_otp(step + 1)) == "totp"
    with pytest.raises(Exception, match="bad_request"):
        second_factor.verify(user, totp.generate_otp(step))


def test_a_recovery_code_signs_in_once(app, factory):
    user = factory.user(Role.ADMIN, enrolled=False)
    second_factor.start_enrolment(user)
    codes = second_factor.confirm_enrolment(user, pyotp.TOTP(user.totp_secret).now())
    db.session.commit()
    client, _ = _password(app, user, factory.PASSWORD)
    accepted = _code_step(client, codes[3].lower().replace("-", " "))
    assert accepted.status_code == 302
    assert "il vous en reste 9" in client.get("/bo/staff/").get_data(as_text=True)
    again, _ = _password(app, user, factory.PASSWORD)
    assert _code_step(again, codes[3]).status_code == 200


def test_the_administrator_resets_a_lost_second_factor_and_the_person_enrols_again(app, factory, login):
    finance = factory.user(Role.FINANCE)
    signed_in = login(finance)
    admin = login(factory.user(Role.ADMIN))
    assert admin.form(f"/bo/staff/{finance.id}/second-factor/reset").status_code == 302
    db.session.refresh(finance)
    assert finance.totp_secret is None and finance.totp_enrolled_at is None
    assert "/login" in signed_in.get("/finance/").headers["Location"]  # its sessions ended
    _client, response = _password(app, finance, factory.PASSWORD)
    assert response.headers["Location"].endswith("/login/enrol")


def test_nobody_else_resets_a_second_factor(app, factory, login):
    finance = factory.user(Role.FINANCE)
    for role in (Role.INSTRUCTOR, Role.FINANCE, Role.MANAGER):
        assert login(factory.user(role)).form(f"/bo/staff/{finance.id}/second-factor/reset").status_code == 403
    db.session.refresh(finance)
    assert finance.totp_enrolled_at is not None


def test_an_invited_staff_member_enrols_right_after_choosing_a_password(app, factory, login):
    from ..helpers import link_sent_to, path_of

    admin = login(factory.user(Role.ADMIN))
    admin.form("/bo/staff/invitations", {"full_name": "Ivan Instructeur", "email": "ivan@cd31.example",
                                         "role": "instructor"})
    client = app.test_client()
    path = path_of(link_sent_to("ivan@cd31.example"))
    token = csrf_in(client.get(path).get_data(as_text=True))
    joined = client.post(path, data={"full_name": "Ivan Instructeur", "password": "un-mot-de-passe-solide",
                                     "confirm": "un-mot-de-passe-solide", "csrf_token": token})
    assert joined.headers["Location"].endswith("/login/enrol")
    assert "/login" in client.get("/bo/campaigns").headers["Location"]
    pass_second_step(client, joined.headers["Location"], "ivan@cd31.example")
    assert client.get("/bo/campaigns").status_code == 200
    user = db.session.execute(sa.select(User).where(User.email == "ivan@cd31.example")).scalar_one()
    assert user.role == Role.INSTRUCTOR and user.second_factor_enrolled


def test_the_demo_prints_a_totp_secret_and_a_command_for_the_current_code(app, runner):
    import json

    info = json.loads(runner.invoke(args=["demo", "--json"]).output)
    admin = next(u for u in info["users"] if u["role"] == "admin")
    assert admin["second_factor"] and info["totp_secret"] and "users totp" in info["totp_command"]
    printed = runner.invoke(args=["users", "totp", admin["email"]]).output.strip()
    assert printed == pyotp.TOTP(info["totp_secret"]).now()
    text = runner.invoke(args=["demo"]).output
    assert info["totp_secret"] in text and "users totp" in text
    app.config["PRODUCTION"] = True
    refused = runner.invoke(args=["users", "totp", admin["email"]])
    assert refused.exit_code != 0 and "refused in production" in refused.output
