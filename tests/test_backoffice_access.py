"""Who gets what in the back office: partner users nothing, finance read-only, instructors all but accounts,
administrators accounts and the journal only."""
import io

import pytest
from pypdf import PdfReader
from werkzeug.routing import Rule

from partner_site.domain import booklets as booklet_ops
from partner_site.extensions import db
from partner_site.models import Role

from .bo_helpers import assigned_request, instructor, point

# What a finance officer may open: figures, read-only pages, exports, the audit log.
FINANCE_ALLOWED = {"dashboard", "dashboard_csv", "campaigns", "campaign", "campaign_report", "campaign_unused_csv",
                   "partners", "partner", "reception_points", "reception_point", "booklet_search", "booklet",
                   "audit", "audit_csv"}


def _routes(app):
    """Yield (endpoint, method, url) for every back-office route, ids set to 1."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("backoffice."):
            continue
        args = {name: {"name": "budget", "action": "deactivate"}.get(name, 1) for name in rule.arguments}
        url = _build(rule, args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint.split(".", 1)[1], method, url


def _build(rule: Rule, args: dict) -> str:
    from flask import current_app, url_for

    with current_app.test_request_context():
        return url_for(rule.endpoint, **args)


@pytest.fixture
def world(app, factory):
    """One of everything, each with id 1, so that allowed pages answer 200 and not 404."""
    where = point()
    staff = instructor(factory)
    campaign = factory.campaign()
    partner = factory.partner()
    assigned_request(factory, staff, where, campaign)
    booklet_ops.generate("test", campaign, 1)
    db.session.commit()
    return {"instructor": staff, "partner": partner, "campaign": campaign}


def _call(client, method, url):
    """Make the request and read a streamed body to its end, so its context closes in order."""
    response = client.get(url) if method == "GET" else client.form(url, {})
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TRAINER])
def test_a_partner_user_gets_nothing_from_any_back_office_page_or_export(app, factory, login, world, role):
    client = login(factory.user(role, world["partner"]))
    routes = list(_routes(app))
    assert len(routes) > 30
    for endpoint, method, url in routes:
        response = _call(client, method, url)
        assert response.status_code == 403, (endpoint, method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert "Martin" not in body and "Jeanne" not in body


def test_an_anonymous_visitor_is_sent_to_the_login_page(app, client, world):
    for endpoint, method, url in _routes(app):
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code in (302, 400), (endpoint, url)  # 400: a POST without its CSRF token
        if method == "GET":
            assert "/login" in response.headers["Location"]


def test_finance_reads_figures_but_changes_nothing_and_sees_no_beneficiary(app, factory, login, world):
    client = login(factory.user(Role.FINANCE))
    for endpoint, method, url in _routes(app):
        response = _call(client, method, url)
        if endpoint in FINANCE_ALLOWED and method == "GET":
            assert response.status_code == 200, (endpoint, url, response.status_code)
            body = response.get_data(as_text=True)
            assert "Martin" not in body and "Jeanne" not in body, endpoint
        else:
            assert response.status_code == 403, (endpoint, method, url, response.status_code)


ADMIN_ALLOWED = {"staff", "staff_member", "audit", "audit_csv"}


def test_an_instructor_opens_every_back_office_page_but_the_accounts(app, factory, login, world):
    client = login(world["instructor"])
    for endpoint, method, url in _routes(app):
        if method != "GET" or endpoint in ("requests_mailing",):
            continue
        response = _call(client, method, url)
        expected = (403,) if endpoint in ADMIN_ALLOWED - {"audit", "audit_csv"} else (200, 302)
        assert response.status_code in expected, (endpoint, url, response.status_code)


def test_the_administrator_reads_accounts_and_the_journal_and_no_beneficiary(app, factory, login, world):
    client = login(factory.user(Role.ADMIN))
    for endpoint, method, url in _routes(app):
        response = _call(client, method, url)
        if endpoint in ADMIN_ALLOWED and method == "GET":
            assert response.status_code == 200, (endpoint, url, response.status_code)
            body = response.get_data(as_text=True)
            assert "Martin" not in body and "Jeanne" not in body, endpoint
        elif not endpoint.startswith("staff"):
            assert response.status_code == 403, (endpoint, method, url, response.status_code)


def test_an_instructor_of_one_reception_point_cannot_see_another_points_request(app, factory, login):
    here, there = point("MDS de Muret", "31395"), point("MDP d'Aspet", "31020")
    mine = assigned_request(factory, instructor(factory, here), here, last_name="Durand")
    theirs = assigned_request(factory, instructor(factory, there), there, last_name="Bernard")
    client = login(instructor(factory, here))
    assert client.get(f"/bo/requests/{mine.id}").status_code == 200
    for url in (f"/bo/requests/{theirs.id}", f"/bo/requests/{theirs.id}/edit", f"/bo/requests/{theirs.id}/letter.pdf"):
        assert client.get(url).status_code == 404, url
    for url in (f"/bo/requests/{theirs.id}/posted", f"/bo/requests/{theirs.id}/close",
                f"/bo/requests/{theirs.id}/replace"):
        assert client.form(url, {"reason": "test"}).status_code == 404, url
    listing = client.get("/bo/requests").get_data(as_text=True)
    assert "DURAND" in listing and "BERNARD" not in listing
    mailing = PdfReader(io.BytesIO(client.get("/bo/requests/mailing.pdf").get_data()))
    text = " ".join(page.extract_text() for page in mailing.pages)  # the PDF's bytes are compressed glyph ids
    assert "DURAND" in text and "BERNARD" not in text


def test_the_partner_api_and_pages_carry_no_beneficiary_data(app, factory, login, world):
    client = login(factory.user(Role.MANAGER, world["partner"]))
    for url in ("/", "/api/v1/workshops", "/api/v1/openapi.json"):
        body = client.get(url).get_data(as_text=True)
        assert "Martin" not in body and "rue des" not in body, url
