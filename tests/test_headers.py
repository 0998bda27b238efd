"""Security headers and cookies: CSP without inline script, framing refused, HSTS over HTTPS, production cookies."""
import os
import re
from pathlib import Path

import pytest

from partner_site import create_app

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
SECRET = "a-real-secret-0123456789-abcdefghijklmnop"


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/healthz", "/static/css/site.css", "/static/js/scan.js"])
def test_answers_that_are_not_pages_are_never_sniffed_and_carry_no_page_policy(client, url):
    """A page policy on a style sheet, a module or JSON is ignored by browsers: ~500 bytes for nothing each."""
    response = client.get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers and "Permissions-Policy" not in response.headers
    response.close()


@pytest.mark.parametrize("url", ["/login", "/no-such-page", "/sw.js"])
def test_every_page_and_the_worker_carry_the_security_headers(client, url):
    response = client.get(url)
    csp = _csp(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["script-src"] == "script-src 'self'" and csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'" and csp["default-src"] == "default-src 'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored
    response.close()


def test_no_template_has_inline_script_handlers_or_styles():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert found == []


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_tls_terminating_proxy_is_believed_only_when_configured(database_url, keys_file, tmp_path):
    from .conftest import base_config

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    plain = create_app(base_config(tmp_path, keys_file, database_url))
    assert "Strict-Transport-Security" not in plain.test_client().get("/login", headers=forwarded).headers
    proxied = create_app({**base_config(tmp_path, keys_file, database_url), "PROXY_FIX": 1})
    seen = {}

    @proxied.get("/_whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    response = proxied.test_client().get("/_whoami", headers=forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert seen == {"addr": "203.0.113.7", "scheme": "https"}


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure  # development over HTTP


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)


@pytest.mark.parametrize("secret", ["dev-only-not-secret", "", "short-secret", "x" * 40])
def test_production_refuses_to_start_without_a_real_secret_key(production_env, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_cookies_are_secure(production_env):
    assert os.environ["FLASK_ENV"] == "production"
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
