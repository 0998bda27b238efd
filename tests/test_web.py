"""Login, logout, CSRF on forms, the JSON error contract, health and the OpenAPI document."""
import re

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from partner_site.domain.clock import local_today


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_login_with_a_wrong_password_says_so_in_french(client, factory):
    user = factory.user("trainer")
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="fr"' in page
    response = client.post("/login", data={"email": user.email, "password": "nope", "csrf_token": _token(page)})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(client, factory):
    user = factory.user("trainer")
    response = client.post("/login", data={"email": user.email, "password": factory.PASSWORD})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)


@pytest.mark.parametrize("target,expected", [
    ("/api/v1/workshops", "/api/v1/workshops"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
])
def test_login_follows_next_only_within_the_site(client, factory, target, expected):
    user = factory.user("trainer")
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=" + target, data={"email": user.email, "password": factory.PASSWORD,
                                                           "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_every_logged_in_page_carries_the_csrf_meta_tag(login, factory):
    client = login(factory.user("trainer"))
    assert client.csrf


def test_logout_is_a_post_with_csrf(login, factory):
    client = login(factory.user("manager"))
    assert client.get("/logout").status_code == 405
    assert client.client.post("/logout").status_code == 400
    assert client.form("/logout").status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_an_inactive_user_cannot_log_in(client, factory):
    user = factory.user("trainer", active=False)
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": factory.PASSWORD, "csrf_token": token})
    assert response.status_code == 200 and "incorrect" in response.get_data(as_text=True)


def test_api_errors_are_json_never_html(client):
    for path in ("/api/v1/nothing-here", "/api/v1/workshops"):
        response = client.get(path)
        assert response.is_json, path
        assert response.get_json()["reason"] in ("not_found", "unauthenticated")
        assert response.get_json()["message"]


def test_pages_answer_errors_in_french(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Cette page n&#39;existe pas" in response.get_data(as_text=True)


def test_the_openapi_document_is_valid_and_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert {"/redemptions", "/redemptions/{redemption_id}", "/workshops", "/keys"} <= set(spec["paths"])


def test_healthz_is_503_when_the_database_is_gone(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-dir/db.sqlite3")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["reason"] == "unavailable"


def test_workshops_api_creates_and_lists_only_own_partner_workshops(login, factory):
    a, b = factory.partner(), factory.partner()
    client_a = login(factory.user("trainer", a))
    factory.workshop(b, title="Atelier de B")
    day = local_today() + timedelta(days=30)
    created = client_a.post("/api/v1/workshops", json={
        "title": "Créer et utiliser une adresse e-mail", "starts_at": f"{day}T14:00:00+01:00",
        "ends_at": f"{day}T16:00:00+01:00", "place": "Mairie", "capacity": 8, "tickets_per_participant": 1})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["starts_at"] == f"{day}T13:00:00Z"
    titles = [w["title"] for w in client_a.get("/api/v1/workshops").get_json()["workshops"]]
    assert titles == ["Créer et utiliser une adresse e-mail"]


@pytest.mark.parametrize("body,field", [
    ({"title": "", "capacity": 5}, "title"),
    ({"title": "x", "capacity": 0}, "capacity"),
    ({"title": "x", "capacity": 5, "tickets_per_participant": 11}, "tickets_per_participant"),
    ({"title": "x", "capacity": 5, "starts_at": "demain"}, "starts_at"),
    ({"title": "x", "capacity": 5, "ends_at": "2026-03-12T13:00:00+01:00"}, "ends_at"),
])
def test_bad_workshops_are_refused_with_the_field(login, factory, body, field):
    client = login(factory.user("trainer"))
    full = {"starts_at": "2026-03-12T14:00:00+01:00", "ends_at": "2026-03-12T16:00:00+01:00", **body}
    response = client.post("/api/v1/workshops", json=full)
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_a_trainer_of_a_cannot_list_redemptions_at_a_workshop_of_b(login, factory):
    a, b = factory.partner(), factory.partner()
    workshop_b = factory.workshop(b)
    response = login(factory.user("trainer", a)).get(f"/api/v1/workshops/{workshop_b.id}/redemptions")
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
