"""The access matrix: every route of `app.url_map`, called by seven kinds of caller, against a declared policy.

Objects named in URLs (workshop, claim, redemption, bank account, batch, invitation, member) all
belong to association A, so "manager of B" proves that one association cannot reach another's.
Each request runs in a fresh client carrying the caller's session cookie, so a logout or a
refused request never changes who the next request is made by.
"""
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from partner_site import create_app
from partner_site.access_policy import CALLERS, ENDPOINTS
from partner_site.domain import adjustments, bank, beneficiaries, invitations, passwords, payments, review
from partner_site.domain import claims as claim_ops
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.jobs import runner as jobs
from partner_site.models import Claim, LineStatus, Role

from .bo_helpers import assigned_request, instructor, point
from .claims_world import IBAN, BIC, campaign_for_last_month, make_world, validations
from .helpers import ApiClient, Factory, link_sent_to

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_every_route_has_a_declared_policy():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - ENDPOINTS.keys()) == [], "declare these routes in partner_site/access_policy.py"
    assert sorted(ENDPOINTS.keys() - endpoints) == [], "these declared routes no longer exist"
    for name, policy in ENDPOINTS.items():
        assert set(policy) == set(CALLERS), name


@dataclass
class Caller:
    cookie: str | None
    csrf: str


def _csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    return found.group(1)


def _sign_in(app, user) -> Caller:
    if user is None:
        client = app.test_client()
        token = _csrf_of(client.get("/login").get_data(as_text=True))
    else:  # through the real form, and the real second step for staff
        signed_in = ApiClient(app, user.email, Factory.PASSWORD)
        client, token = signed_in.client, signed_in.csrf
    cookie = client.get_cookie("session")
    return Caller(cookie.value if cookie else None, token)


# Routes where a URL argument names something else than the default (e.g. which user).
OVERRIDES = {"auth.reset_password": {"token": "reset_token"},
             "backoffice.staff_invitation_revoke": {"invitation_id": "staff_invitation_id"}}


def _back_office(factory, a, campaign) -> dict:
    """A reception point with an instructor attached and a beneficiary's request given a booklet."""
    where = point()
    instructor(factory, at=where)
    request = assigned_request(factory, a.instructor, where, campaign)
    job = jobs.create(a.instructor, "booklets_pdf", {"campaign_id": campaign.id}, 1, "Carnets", "carnets.pdf")
    db.session.commit()
    return {"point_id": where.id, "request_id": request.id, "job_id": job.id,
            "booklet_id": beneficiaries.current_booklet(request).id, "campaign_id": campaign.id,
            "partner_id": a.partner.id, "name": "budget"}


@pytest.fixture
def matrix_world(factory):
    """Association A with a claim in a payment batch, a pending bank account, an invitation; association B."""
    campaign = campaign_for_last_month(factory)
    a = make_world(factory, 0)
    b = make_world(factory, 1, instructor=a.instructor, finance=a.finance)
    (redemption,) = validations(factory, a, campaign, 1)
    claim_id = db.session.execute(sa.select(Claim.id).where(Claim.partner_id == a.partner.id)).scalar_one()
    claim_ops.submit(a.manager, claim_id)
    review.approve(a.instructor, claim_id)
    batch = payments.build_batch(a.finance, [claim_id], local_today())
    pending = adjustments.add_adjustment(a.instructor, a.partner.id, 1000, "Ajustement à approuver", claim_id,
                                         status=LineStatus.PENDING)
    account = bank.submit_details(a.manager, a.partner, holder_name="Autre titulaire", iban=IBAN, bic=BIC,
                                  siret=a.partner.siret)
    invitation = invitations.invite_trainer(a.manager, email="invitee@asso.example", full_name="Nina Invitée")
    admin = factory.user(Role.ADMIN)
    staff_invitation = invitations.invite(admin, email="nouvel-agent@cd31.example", full_name="Nouvel Agent",
                                          role=Role.INSTRUCTOR, partner_id=None)
    db.session.commit()
    token = link_sent_to("invitee@asso.example").rsplit("/", 1)[1]
    member = factory.user("trainer", a.partner, full_name="Second Formateur")
    passwords.request_reset(a.trainer.email)
    db.session.commit()
    reset_token = link_sent_to(a.trainer.email).rsplit("/", 1)[1]
    values = {"workshop_id": redemption.workshop_id, "claim_id": claim_id, "redemption_id": redemption.id,
              "account_id": account.id, "batch_id": batch.id, "invitation_id": invitation.id, "token": token,
              "user_id": member.id, "line_id": pending.id, "action": "deactivate", "filename": "css/site.css",
              "reset_token": reset_token, "staff_invitation_id": staff_invitation.id,
              **_back_office(factory, a, campaign)}
    users = {"anonymous": None, "trainer_a": a.trainer, "manager_a": a.manager, "manager_b": b.manager,
             "instructor": a.instructor, "finance": a.finance, "admin": admin}
    return users, values


def classify(response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    # Sent to sign in: the login page with where to come back (a plain /login is where a logout lands).
    if status == 401 or (status in (301, 302, 303) and "/login?next=" in location):
        return "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "hidden"
    if status >= 500:
        return f"error {status}"
    return "ok"


def _call(app, caller: Caller, method: str, url: str):
    client = app.test_client()
    if caller.cookie:
        client.set_cookie("session", caller.cookie)
    if method == "GET":
        return client.get(url)
    headers = {"X-CSRFToken": caller.csrf}
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={"csrf_token": caller.csrf}, headers=headers)


def _requests(app, values):
    """Every (endpoint, method, url): reads first, then changes (a cancelled batch has no SEPA file), and
    signing out last (it ends the caller's session on the server)."""
    calls = []
    for rule in app.url_map.iter_rules():
        names = OVERRIDES.get(rule.endpoint, {})
        url = rule.build({k: values[names.get(k, k)] for k in rule.arguments}, append_unknown=False)[1]
        calls += [(rule.endpoint == "auth.logout", method != "GET", rule.rule, method, rule.endpoint, url)
                  for method in rule.methods - IGNORED_METHODS]
    for _last, _change, _rule, method, endpoint, url in sorted(calls):
        yield endpoint, method, url


def test_every_route_answers_each_caller_as_declared(app, matrix_world):
    users, values = matrix_world
    callers = {name: _sign_in(app, user) for name, user in users.items()}
    mismatches, rows = [], 0
    for endpoint, method, url in _requests(app, values):
        policy = ENDPOINTS[endpoint]
        # Refused callers first, so a state change made by an allowed caller cannot hide a refusal.
        for name in sorted(CALLERS, key=lambda n: policy[n] == "ok"):
            response = _call(app, callers[name], method, url)
            got = classify(response)
            response.close()
            rows += 1
            if got != policy[name]:
                mismatches.append(f"{method} {url} as {name}: expected {policy[name]}, got {got}")
    assert mismatches == [], "\n".join(mismatches)
    assert rows >= len(CALLERS) * len(ENDPOINTS)
