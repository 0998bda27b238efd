"""Test factories (every field has a sensible default) and a logged-in JSON client."""
import itertools
import re
import time as clock
import uuid
from datetime import date, datetime, time, timedelta

import pyotp
import sqlalchemy as sa
from flask.testing import FlaskClient

from partner_site.domain import booklets as booklet_ops
from partner_site.domain.clock import local_today, to_utc_naive
from partner_site.extensions import db
from partner_site.models import Campaign, Notification, Partner, PartnerStatus, Role, User, Workshop, utcnow

_seq = itertools.count(1)

SIRETS = itertools.cycle(["44306184100047", "73282932000074", "55210055400013", "38347481400100",
                          "78467169500087", "40483304800022"])


def nonce() -> str:
    return uuid.uuid4().hex


class Factory:
    """Build domain objects with defaults; each call commits so other connections see it."""

    PASSWORD = "correct-horse-battery"

    def campaign(self, **kw) -> Campaign:
        today = local_today()
        values = dict(name=f"Campagne {next(_seq)}", budget_cents=222_000_00, face_value_cents=1000,
                      starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300), grace_days=31)
        values.update(kw)
        campaign = Campaign(**values)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    def partner(self, **kw) -> Partner:
        n = next(_seq)
        values = dict(name=f"Association {n}", siret=f"{n:014d}", commune_insee="31020",
                      status=PartnerStatus.ACCREDITED, rural=True)
        values.update(kw)
        partner = Partner(**values)
        db.session.add(partner)
        db.session.commit()
        return partner

    def user(self, role=Role.TRAINER, partner=None, **kw) -> User:
        """A user with PASSWORD; staff have their second factor set up (enrolled=False: not yet)."""
        role = Role(role)
        if not role.is_staff and partner is None:
            partner = self.partner()
        if role.is_staff and kw.pop("enrolled", True):
            kw.setdefault("totp_secret", pyotp.random_base32())
            kw.setdefault("totp_enrolled_at", utcnow())
        user = User(email=kw.pop("email", f"user{next(_seq)}@example.org"), role=role,
                    partner_id=partner.id if partner else None, full_name=kw.pop("full_name", "Camille Test"), **kw)
        user.set_password(self.PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    def workshop(self, partner, day: date | None = None, **kw) -> Workshop:
        day = day or local_today()
        values = dict(title="Utiliser son smartphone", starts_at=to_utc_naive(datetime.combine(day, time(0, 5))),
                      ends_at=to_utc_naive(datetime.combine(day, time(23, 55))), place="Salle des fêtes",
                      capacity=10, tickets_per_participant=1)
        values.update(kw)
        values.setdefault("created_at", min(utcnow(), values["starts_at"] - timedelta(days=1)))  # planned ahead
        workshop = Workshop(partner_id=partner.id, **values)
        db.session.add(workshop)
        db.session.commit()
        return workshop

    def booklet(self, campaign=None, distributed=True):
        """Issue one booklet (and hand it out unless told otherwise); return it."""
        campaign = campaign or self.campaign()
        (booklet,) = booklet_ops.generate("test", campaign, 1)
        if distributed:
            booklet_ops.distribute("test", booklet)
            # Handed out when its campaign began (offline scans are never believed before the hand-out).
            handed = min(utcnow(), to_utc_naive(datetime.combine(campaign.starts_on, time(8))))
            booklet.distributed_at = handed
            for ticket in booklet.tickets:
                ticket.activated_at = handed
        db.session.commit()
        return booklet

    def tickets(self, campaign=None, distributed=True):
        return list(self.booklet(campaign, distributed).tickets)


def code_of(ticket) -> str:
    return booklet_ops.ticket_code(ticket.number)


def check_code_of(ticket) -> str:
    return booklet_ops.ticket_check_code(ticket.number)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in production.

    The test itself holds an app context (to use `db.session`); without this, requests would
    share its `g` (the logged-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def messages_to(email: str) -> list[Notification]:
    """Return the outbox's messages to an address, oldest first."""
    db.session.expire_all()
    return list(db.session.execute(sa.select(Notification).where(Notification.recipient == email)
                                   .order_by(Notification.id)).scalars())


def link_sent_to(email: str) -> str:
    """Return the one-time link of the latest message to an address (an invitation or a reset link)."""
    body = messages_to(email)[-1].body
    return re.search(r"https?://\S+/(?:invitation|password/reset)/\S+", body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def csrf_in(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def totp_secret_of(email: str) -> str:
    """Read a staff member's second-factor secret, as their authenticator app holds it."""
    db.session.expire_all()
    return db.session.execute(sa.select(User.totp_secret).where(User.email == email)).scalar_one()


def candidate_codes(secret: str):
    """Yield the codes an authenticator app shows around now: the previous, current and next 30-second steps.

    The site takes each step once per person, so a test that signs the same person in several times
    within a step moves on to the next one (and past the last, waits for the clock).
    """
    totp = pyotp.TOTP(secret)
    while True:
        step = int(clock.time() // 30)
        for candidate in (step - 1, step, step + 1):
            yield totp.generate_otp(candidate)
        clock.sleep(30 - clock.time() % 30 + 0.05)


def pass_second_step(client, location: str, email: str):
    """Answer the staff's second step of signing in (enrolling first if needed) through the real pages."""
    path = path_of(location) if "://" in location else location
    page = client.get(path).get_data(as_text=True)
    if path.startswith("/login/enrol"):
        secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    else:
        secret = totp_secret_of(email)
    for attempt, code in enumerate(candidate_codes(secret)):
        response = client.post(path, data={"code": code, "csrf_token": csrf_in(page)})
        if response.status_code == 302 or 'class="codes"' in response.get_data(as_text=True):
            return response
        assert attempt < 6, response.get_data(as_text=True)


class ApiClient:
    """A Flask test client logged in through the real form (and, for staff, the real second step with a
    code computed by pyotp), sending the page's CSRF token (JSON or forms)."""

    def __init__(self, app, email, password):
        self.client = app.test_client()
        page = self.client.get("/login")
        response = self.client.post("/login", data={"email": email, "password": password,
                                                    "csrf_token": csrf_in(page.get_data(as_text=True))})
        assert response.status_code == 302, response.get_data(as_text=True)
        if "/login/" in response.headers["Location"]:
            pass_second_step(self.client, response.headers["Location"], email)
        home = self.client.get("/", follow_redirects=True).get_data(as_text=True)
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)

    def _headers(self):
        return {"X-CSRFToken": self.csrf}

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(), **kw)

    def form(self, url, data=None, **kw):
        """Post an HTML form with the CSRF token, as a browser would."""
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf}, **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self._headers(), **kw)

    def redeem(self, workshop, ticket=None, code=None, nonce_value=None, **extra):
        body = {"workshop_id": workshop.id if hasattr(workshop, "id") else workshop,
                "nonce": nonce_value or nonce()}
        if code is not None:
            body["code"] = code
        elif ticket is not None:
            body["code"] = code_of(ticket)
        body.update(extra)
        return self.post("/api/v1/redemptions", json=body)


def pdf_fonts(pdf: bytes, tmp_path) -> list[dict]:
    """List the fonts of a PDF as poppler's pdffonts reports them: name, type, embedded, subset, unicode map."""
    import subprocess

    path = tmp_path / f"fonts-{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    columns = [m.span() for m in re.finditer(r"-+", lines[1])]  # the header's underline gives the columns
    rows = [[line[start:end + 1].strip() for start, end in columns] for line in lines[2:]]
    return [{"name": name, "type": kind, "embedded": emb == "yes", "subset": sub == "yes", "unicode": uni == "yes"}
            for name, kind, _encoding, emb, sub, uni, *_rest in rows]
