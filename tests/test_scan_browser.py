"""The scan page in a real browser: Debian's Chromium on phone viewports, its camera fed by a video of a real ticket.

Linux Chromium has no BarcodeDetector backend, so these runs decode with jsQR, as most phones' browsers
without it would. The app runs under a real server (werkzeug in a thread) on 127.0.0.1.
"""
import contextlib
import re
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partner_site.domain import codes
from partner_site.domain.codes import format_check_code, format_serial
from partner_site.extensions import db
from partner_site.models import FailedScan, Redemption, Ticket, TicketStatus

from .browser_support import (blank_video, launch, log_in, phone_context, require_chromium, scenes_video, screenshot,
                              threaded_server, ticket_video)
from .helpers import Factory, check_code_of, code_of

pytestmark = pytest.mark.browser

DEVICES = ["Pixel 7", "iPhone 13"]
WAIT_MS = 30_000  # the longest the page may take to show a verdict on a busy 2-core machine


@pytest.fixture
def scene(app, backend, factory):
    """A trainer, today's workshop of their association, and a ticket in a beneficiary's hands."""
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only: the pages and the API are the same on PostgreSQL, where "
                    "the redemption rules are tested without a browser, and each Chromium run is slow on 2 cores")
    require_chromium()
    partner = factory.partner(name="Association Cagire Numérique")
    return SimpleNamespace(
        app=app, trainer=factory.user("trainer", partner, full_name="Camille Formatrice"),
        workshop=factory.workshop(partner, title="Créer et utiliser une adresse e-mail", commune_insee="31020"),
        ticket=factory.tickets()[0])


@contextlib.contextmanager
def scan_page(scene, device, video, grant_camera=True, host=None, network=None):
    """Open the workshop's scan page on a phone-shaped Chromium whose camera plays `video`.

    `network(route)`, if given, handles every request to the redemption API (to slow it down or drop it).
    """
    from playwright.sync_api import sync_playwright

    with threaded_server(scene.app) as base, sync_playwright() as playwright:
        extra = []
        if host:  # a name that is not localhost: http:// there is not a secure context
            extra = [f"--host-resolver-rules=MAP {host} 127.0.0.1"]
            base = base.replace("127.0.0.1", host)
        browser = launch(playwright, video, grant_camera=grant_camera, extra_args=extra)
        try:
            page = phone_context(playwright, browser, device, base, grant_camera=grant_camera).new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            log_in(page, scene.trainer.email, Factory.PASSWORD)
            if network:
                page.route("**/api/v1/redemptions", network)
            page.goto(f"/workshops/{scene.workshop.id}/scan")
            yield page
            assert errors == [], "the page's script failed"
        finally:
            browser.close()


def _slug(device: str) -> str:
    return device.lower().replace(" ", "-")


def _expect_verdict(page, kind: str, title: str, message: str | None = None):
    from playwright.sync_api import expect

    verdict = page.locator("#verdict")
    expect(verdict).to_have_class(re.compile(rf"\bverdict-{kind}\b"), timeout=WAIT_MS)
    expect(page.locator("#verdict-title")).to_have_text(title)
    if message:
        expect(page.locator("#verdict-message")).to_contain_text(message)


def _database():
    db.session.rollback()  # end the test's read transaction: see what the server wrote since
    return db.session


@pytest.mark.parametrize("device", DEVICES)
def test_a_ticket_shown_to_the_camera_is_accepted_refused_when_shown_again_and_undone(scene, tmp_path, device):
    from playwright.sync_api import expect

    serial = format_serial(scene.ticket.serial)
    video = ticket_video(str(tmp_path / "ticket.y4m"), code_of(scene.ticket))
    with scan_page(scene, device, video) as page:
        _expect_verdict(page, "accepted", "Ticket accepté", f"Ticket {serial} accepté.")
        expect(page.locator("#count")).to_have_text("1")
        expect(page.locator("#redemptions li")).to_have_count(1)
        expect(page.locator("#redemptions li .serial")).to_have_text(serial)
        screenshot(page, f"scan-{_slug(device)}-1-accepted")

        # The ticket leaves the camera's view and comes back: the server says it is already used.
        _expect_verdict(page, "refused", "Déjà validé", "Ticket déjà validé le")
        expect(page.locator("#verdict-message")).to_contain_text("par votre structure")
        expect(page.locator("#count")).to_have_text("1")
        screenshot(page, f"scan-{_slug(device)}-2-already-validated")

        page.click("#verdict-close")
        expect(page.locator("#verdict")).to_be_hidden()
        screenshot(page, f"scan-{_slug(device)}-3-list")
        undo = page.locator("#redemptions li").first.locator("button")
        undo.click()
        expect(undo).to_have_text("Confirmer l’annulation")
        undo.click()
        _expect_verdict(page, "voided", "Validation annulée", f"Validation du ticket {serial} annulée.")
        expect(page.locator("#count")).to_have_text("0")
        expect(page.locator("#redemptions li.voided")).to_have_count(1)
        screenshot(page, f"scan-{_slug(device)}-4-undone")

        # Shown again after the undo, the same ticket is accepted again.
        _expect_verdict(page, "accepted", "Ticket accepté", f"Ticket {serial} accepté.")
        expect(page.locator("#count")).to_have_text("1")
        expect(page.locator("#redemptions li")).to_have_count(2)

    session = _database()
    assert session.get(Ticket, scene.ticket.id).status == TicketStatus.REDEEMED
    redemptions = session.execute(sa.select(Redemption).order_by(Redemption.id)).scalars().all()
    assert [r.voided_at is not None for r in redemptions] == [True, False]
    assert set(session.execute(sa.select(FailedScan.reason)).scalars()) == {"already_redeemed"}


@pytest.mark.parametrize("device", DEVICES)
def test_a_forged_ticket_is_refused_by_the_server(scene, tmp_path, device):
    from playwright.sync_api import expect

    # A real ticket's number, signed with a key the département never had.
    forged = codes.encode_code(Ed25519PrivateKey.generate(), scene.app.extensions["keyring"].active_kid,
                               scene.ticket.number)
    video = ticket_video(str(tmp_path / "forged.y4m"), forged)
    with scan_page(scene, device, video) as page:
        _expect_verdict(page, "refused", "Ticket refusé", "n'a pas été émis par le Département")
        expect(page.locator("#count")).to_have_text("0")
        expect(page.locator("#no-redemptions")).to_be_visible()
        screenshot(page, f"scan-{_slug(device)}-5-forged")

    session = _database()
    assert session.get(Ticket, scene.ticket.id).status == TicketStatus.ACTIVE
    assert set(session.execute(sa.select(FailedScan.reason)).scalars()) == {"bad_signature"}
    assert session.execute(sa.select(Redemption)).first() is None


@pytest.mark.parametrize("device", DEVICES)
def test_with_the_camera_refused_a_damaged_ticket_is_typed_by_hand(scene, tmp_path, device):
    from playwright.sync_api import expect

    serial = format_serial(scene.ticket.serial)
    with scan_page(scene, device, blank_video(str(tmp_path / "blank.y4m")), grant_camera=False) as page:
        expect(page.locator("#camera-status")).to_contain_text("Accès à la caméra refusé", timeout=WAIT_MS)
        expect(page.locator("#camera-retry")).to_be_visible()
        expect(page.locator("#manual")).to_have_attribute("open", "")
        screenshot(page, f"scan-{_slug(device)}-6-camera-refused")

        page.fill("#serial", serial)
        page.fill("#check_code", "AAA-AAA")
        page.click("#manual-form button[type=submit]")
        _expect_verdict(page, "refused", "Ticket refusé", "Le code de contrôle ne correspond pas")
        page.click("#verdict-close")

        page.fill("#check_code", format_check_code(check_code_of(scene.ticket)).lower())
        screenshot(page, f"scan-{_slug(device)}-7-manual-entry")
        page.click("#manual-form button[type=submit]")
        _expect_verdict(page, "accepted", "Ticket accepté", f"Ticket {serial} accepté.")
        expect(page.locator("#count")).to_have_text("1")
        expect(page.locator("#serial")).to_have_value("")
        screenshot(page, f"scan-{_slug(device)}-8-manual-accepted")

    assert _database().get(Ticket, scene.ticket.id).status == TicketStatus.REDEEMED


def test_on_an_insecure_address_the_page_says_why_and_manual_entry_still_works(scene, tmp_path):
    from playwright.sync_api import expect

    with scan_page(scene, "Pixel 7", blank_video(str(tmp_path / "blank.y4m")), grant_camera=False,
                   host="salle-des-fetes.test") as page:
        assert page.evaluate("window.isSecureContext") is False
        expect(page.locator("#camera-status")).to_contain_text("connexion sécurisée", timeout=WAIT_MS)
        expect(page.locator("#camera-retry")).to_be_hidden()
        screenshot(page, "scan-pixel-7-9-insecure")
        page.fill("#serial", scene.ticket.serial)
        page.fill("#check_code", check_code_of(scene.ticket))
        page.click("#manual-form button[type=submit]")
        _expect_verdict(page, "accepted", "Ticket accepté")
        expect(page.locator("#count")).to_have_text("1")


def test_a_ticket_shown_while_the_previous_one_is_being_checked_is_not_lost(scene, factory, tmp_path):
    from playwright.sync_api import expect

    second = factory.tickets()[0]  # another participant's booklet
    video = scenes_video(str(tmp_path / "two.y4m"), [(code_of(scene.ticket), 1.2), (code_of(second), 3), (None, 4)])

    def slow_network(route):
        time.sleep(1.5)  # the second ticket comes into view before the first one's answer
        route.continue_()

    with scan_page(scene, "Pixel 7", video, network=slow_network) as page:
        expect(page.locator("#count")).to_have_text("2", timeout=WAIT_MS)
        expect(page.locator("#redemptions li:not(.voided)")).to_have_count(2)

    accepted = _database().execute(sa.select(Redemption.ticket_id).where(Redemption.voided_at.is_(None)))
    assert set(accepted.scalars()) == {scene.ticket.id, second.id}


def test_a_scan_that_got_no_answer_is_sent_again_with_the_same_nonce(scene, tmp_path):
    sent = []

    def dropped_once(route):
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.abort("failed")  # the rural network swallows the first attempt
        else:
            route.continue_()

    with scan_page(scene, "Pixel 7", ticket_video(str(tmp_path / "ticket.y4m"), code_of(scene.ticket)),
                   network=dropped_once) as page:
        _expect_verdict(page, "accepted", "Ticket accepté")

    assert sent[0]["nonce"] == sent[1]["nonce"] and sent[0]["code"] == sent[1]["code"]
    redemption = _database().execute(sa.select(Redemption)).scalar_one()
    assert redemption.nonce == sent[0]["nonce"]
