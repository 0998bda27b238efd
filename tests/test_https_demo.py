"""`make run-https`: a self-signed certificate, and a phone on the network opening the camera over HTTPS."""
import base64
import hashlib
import os
import re
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from partner_site.cli.devcert import make_certificate

from .browser_support import launch, log_in, phone_context, require_chromium, ticket_video
from .helpers import Factory, code_of
from .servers import Gunicorn, server_env


def _certificate(path):
    with open(path, "rb") as fh:
        return x509.load_pem_x509_certificate(fh.read())


def test_the_certificate_names_the_machine_and_is_kept_while_it_covers_them(tmp_path):
    cert_path, key_path, fresh = make_certificate(str(tmp_path), ["localhost", "127.0.0.1", "192.168.1.20"])
    assert fresh
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    names = _certificate(cert_path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "192.168.1.20"}
    serial = _certificate(cert_path).serial_number
    assert make_certificate(str(tmp_path), ["localhost", "192.168.1.20"])[2] is False
    assert _certificate(cert_path).serial_number == serial  # a phone that accepted it is not asked again
    assert make_certificate(str(tmp_path), ["localhost", "10.0.0.7"])[2] is True  # a new address: a new one


@pytest.mark.browser
def test_a_phone_on_the_network_opens_the_camera_over_https(app, backend, factory, tmp_path):
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only: serving over HTTPS does not depend on the database")
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    host = "pass-numerique.test"  # not localhost: only HTTPS makes it a secure context
    cert_path, key_path, _ = make_certificate(str(tmp_path / "tls"), [host, "127.0.0.1"])
    public_key = _certificate(cert_path).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    accepted = base64.b64encode(hashlib.sha256(public_key).digest()).decode()  # "accept this certificate"
    partner = factory.partner()
    trainer = factory.user("trainer", partner)
    workshop = factory.workshop(partner)
    video = ticket_video(str(tmp_path / "ticket.y4m"), code_of(factory.tickets()[0]))
    env = {**server_env(app), "SESSION_COOKIE_SECURE": "1"}
    with Gunicorn(env, workers=1, threads=4, tls=(cert_path, key_path)) as server, sync_playwright() as playwright:
        base = server.url.replace("127.0.0.1", host)
        browser = launch(playwright, video, extra_args=[f"--host-resolver-rules=MAP {host} 127.0.0.1",
                                                        f"--ignore-certificate-errors-spki-list={accepted}"])
        try:
            page = phone_context(playwright, browser, "Pixel 7", base).new_page()
            log_in(page, trainer.email, Factory.PASSWORD)
            page.goto(f"/workshops/{workshop.id}/scan")
            assert page.evaluate("window.isSecureContext") is True
            expect(page.locator("#verdict")).to_have_class(re.compile(r"\bverdict-accepted\b"), timeout=30_000)
            expect(page.locator("#count")).to_have_text("1")
        finally:
            browser.close()
