"""The scan page in a real browser when the answer is not a verdict on the ticket: a lost session, a server down, no network.

Green and red are for the ticket only. Here a valid ticket is typed by hand on a 360 px phone
while something else goes wrong; the page must say what went wrong in a neutral colour, never
"refusé", keep the scan, and send it again (the same nonce) once it can: the ticket is accepted.
"""
import contextlib
import re
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from partner_site.domain import sessions
from partner_site.domain.codes import format_check_code, format_serial
from partner_site.extensions import db
from partner_site.models import FailedScan, Redemption, Ticket, TicketStatus, User

from .browser_support import blank_video, launch, phone_context, require_chromium, screenshot, threaded_server
from .helpers import Factory, check_code_of

pytestmark = pytest.mark.browser

DEVICE = "Moto G4"  # 360 × 640: a small phone of the kind trainers carry
WAIT_MS = 30_000  # the longest the page may take to show a verdict on a busy 2-core machine
SYNC_WAIT_MS = 45_000  # the page sends its queue every 10 s while scans wait


@pytest.fixture
def scene(app, backend, factory):
    """A trainer, today's workshop of their association, and a ticket in a beneficiary's hands."""
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only (see test_scan_browser.py): what is tested here is the page")
    require_chromium()
    partner = factory.partner(name="Association Cagire Numérique")
    return SimpleNamespace(
        app=app, trainer=factory.user("trainer", partner, full_name="Camille Formatrice"),
        workshop=factory.workshop(partner, title="Créer et utiliser une adresse e-mail"),
        ticket=factory.tickets()[0])


@contextlib.contextmanager
def phone(scene, tmp_path):
    """A 360 px phone-shaped Chromium, camera refused (so the manual entry is open), not signed in yet."""
    from playwright.sync_api import sync_playwright

    with threaded_server(scene.app) as base, sync_playwright() as playwright:
        browser = launch(playwright, blank_video(str(tmp_path / "blank.y4m")), grant_camera=False)
        try:
            context = phone_context(playwright, browser, DEVICE, base, grant_camera=False)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield SimpleNamespace(context=context, page=page)
            assert errors == [], "the page's script failed"
        finally:
            browser.close()


def sign_in_on(page, scene):
    """Fill in the login form the page is on."""
    page.fill("input[name=email]", scene.trainer.email)
    page.fill("input[name=password]", Factory.PASSWORD)
    page.click("button[type=submit]")


def open_scan_page(page, scene, lists_kept=True):
    from playwright.sync_api import expect

    page.goto("/login")
    sign_in_on(page, scene)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/workshops/{scene.workshop.id}/scan")
    expect(page.locator("#manual")).to_have_attribute("open", "", timeout=WAIT_MS)
    if lists_kept:
        expect(page.locator("#scan")).to_have_attribute("data-lists-kept", "1", timeout=WAIT_MS)


def type_ticket(page, ticket):
    page.fill("#serial", format_serial(ticket.serial))
    page.fill("#check_code", format_check_code(check_code_of(ticket)))
    page.click("#manual-form button[type=submit]")


def expect_kept_not_refused(page, kind: str, title: str):
    """The verdict is neutral, names what went wrong, and the scan waits in the list."""
    from playwright.sync_api import expect

    expect(page.locator("#verdict")).to_have_class(re.compile(rf"\bverdict-{kind}\b"), timeout=WAIT_MS)
    expect(page.locator("#verdict-title")).to_have_text(title)
    expect(page.locator("#verdict-word")).to_have_text("En attente")
    expect(page.locator("#redemptions li.provisional")).to_have_count(1)
    expect(page.locator("#network-status")).to_contain_text("1 scan(s) en attente de synchronisation")
    assert page.locator(".verdict-refused, .verdict-accepted").count() == 0
    assert "refusé" not in page.locator("#verdict").inner_text().lower()
    assert "refusé" not in page.locator("#verdict-live").text_content().lower()
    assert "ticket refusé" not in page.locator("body").inner_text().lower()  # the camera's status may say "refusé"
    background = page.locator("#verdict").evaluate("element => getComputedStyle(element).backgroundColor")
    assert background not in ("rgb(206, 5, 0)", "rgb(24, 117, 60)"), "neither red nor green"


def expect_sent_and_accepted(page, scene, nonce: str):
    from playwright.sync_api import expect

    expect(page.locator("#redemptions li.confirmed")).to_have_count(1, timeout=SYNC_WAIT_MS)
    expect(page.locator("#count")).to_have_text("1")
    db.session.rollback()  # end the test's read transaction: see what the server wrote since
    redemption = db.session.execute(sa.select(Redemption)).scalar_one()
    assert (redemption.ticket_id, redemption.nonce) == (scene.ticket.id, nonce)
    assert db.session.get(Ticket, scene.ticket.id).status == TicketStatus.REDEEMED
    assert db.session.execute(sa.select(FailedScan)).first() is None


def kept_nonce(page) -> str:
    return page.locator("#redemptions li.provisional").get_attribute("data-nonce")


@pytest.mark.parametrize("how", ["revoked", "cookies_cleared"])
def test_a_lost_session_keeps_the_scan_and_sends_it_after_signing_in_again(scene, tmp_path, how):
    from playwright.sync_api import expect

    with phone(scene, tmp_path) as phone_:
        page = phone_.page
        open_scan_page(page, scene)
        if how == "revoked":  # signed out elsewhere, or the session ran out: the server answers 401
            sessions.revoke_all(db.session.get(User, scene.trainer.id))
            db.session.commit()
        else:  # the phone forgot its cookies: the CSRF check fails first (400, detail csrf)
            phone_.context.clear_cookies()

        type_ticket(page, scene.ticket)
        expect_kept_not_refused(page, "session", "Session expirée")
        expect(page.locator("#verdict-message")).to_contain_text("sera envoyé dès que vous vous reconnecterez")
        expect(page.locator("#verdict-signin")).to_be_visible()
        expect(page.locator("#network-signin")).to_be_visible()
        expect(page.locator("#serial")).to_have_value("")  # kept: the next ticket can be typed
        screenshot(page, f"scan-failure-session-{how}")
        nonce = kept_nonce(page)
        assert db.session.execute(sa.select(Redemption)).first() is None

        page.click("#verdict-signin")
        page.wait_for_url(re.compile(r"/login\?next="))
        sign_in_on(page, scene)
        page.wait_for_url(re.compile(rf"/workshops/{scene.workshop.id}/scan$"))
        expect_sent_and_accepted(page, scene, nonce)
        expect(page.locator("#network-status")).to_be_hidden()
        page.locator("#redemptions").scroll_into_view_if_needed()
        screenshot(page, f"scan-failure-session-{how}-sent")


@pytest.mark.parametrize("failure", ["500_html", "503_json", "429_json"])
def test_a_server_failure_keeps_the_scan_and_sends_it_once_the_server_is_back(scene, tmp_path, failure):
    from playwright.sync_api import expect

    status = int(failure[:3])
    body, content_type = (("<html><body><h1>Internal Server Error</h1></body></html>", "text/html")
                          if failure.endswith("html") else
                          ('{"reason": "%s", "message": "…"}' % ("rate_limited" if status == 429 else "unavailable"),
                           "application/json"))
    failing = []

    def server_down(route):
        failing.append(route.request.url)
        route.fulfill(status=status, body=body, content_type=content_type)

    with phone(scene, tmp_path) as phone_:
        page = phone_.page
        open_scan_page(page, scene)
        page.route("**/api/v1/redemptions**", server_down)  # the single scan and the queue's batch
        type_ticket(page, scene.ticket)
        title = "Trop de tentatives" if status == 429 else "Serveur indisponible"
        expect_kept_not_refused(page, "waiting", title)
        expect(page.locator("#verdict-message")).to_contain_text("sera renvoyé automatiquement")
        screenshot(page, f"scan-failure-server-{failure}")
        nonce = kept_nonce(page)

        # Still down at the next sync: the scan waits, still not refused.
        deadline = time.monotonic() + SYNC_WAIT_MS / 1000
        while not any(url.endswith("/redemptions/batch") for url in failing):
            assert time.monotonic() < deadline, "the page never sent its queue again"
            page.wait_for_timeout(500)
        expect(page.locator("#redemptions li.provisional")).to_have_count(1)
        page.unroute("**/api/v1/redemptions**")
        expect_sent_and_accepted(page, scene, nonce)


def test_a_network_cut_at_submit_keeps_the_scan_and_sends_it_when_the_network_is_back(scene, tmp_path):
    from playwright.sync_api import expect

    with phone(scene, tmp_path) as phone_:
        page, context = phone_.page, phone_.context
        # The phone has not kept what it needs to judge tickets itself: only the server can judge.
        page.route("**/api/v1/sync/**", lambda route: route.abort("failed"))
        open_scan_page(page, scene, lists_kept=False)
        context.set_offline(True)
        type_ticket(page, scene.ticket)
        expect_kept_not_refused(page, "waiting", "Connexion perdue")
        expect(page.locator("#verdict-message")).to_have_text("Le scan est gardé et sera renvoyé au retour du réseau.")
        screenshot(page, "scan-failure-network")
        nonce = kept_nonce(page)

        context.set_offline(False)
        expect_sent_and_accepted(page, scene, nonce)
