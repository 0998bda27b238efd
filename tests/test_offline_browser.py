"""Scanning with no network, in Debian's Chromium: the page judges tickets on the phone, queues them, syncs them.

The camera is refused when the page first opens (online), so nothing is scanned before the test
cuts the network; then the camera is allowed and a looping video shows three real tickets, a
forged one, and the first ticket again.
"""
import contextlib
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partner_site.domain import codes
from partner_site.domain.codes import format_serial
from partner_site.models import FailedScan, Redemption, Role

from .browser_support import launch, log_in, phone_context, require_chromium, scenes_video, screenshot, threaded_server
from .helpers import Factory, code_of

pytestmark = pytest.mark.browser

WAIT_MS = 60_000  # a whole loop of the video on a busy 2-core machine

# Collects every verdict the page announces (its live region), so none is missed between two polls.
RECORD_VERDICTS = """() => {
  window.verdicts = [];
  new MutationObserver(() => window.verdicts.push(document.getElementById("verdict-live").textContent))
    .observe(document.getElementById("verdict-live"), {childList: true, characterData: true, subtree: true});
}"""


@pytest.fixture
def scene(app, backend, factory):
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only (see test_scan_browser.py); the batch upload is tested on "
                    "both databases in test_sync.py")
    require_chromium()
    partner = factory.partner(name="Association Cagire Numérique")
    tickets = [factory.tickets()[0] for _ in range(3)]  # three participants, three booklets
    return SimpleNamespace(app=app, factory=factory, partner=partner, tickets=tickets,
                           trainer=factory.user("trainer", partner, full_name="Camille Formatrice"),
                           workshop=factory.workshop(partner, title="Créer et utiliser une adresse e-mail"))


@contextlib.contextmanager
def browser_for(scene, video):
    from playwright.sync_api import sync_playwright

    with threaded_server(scene.app) as base, sync_playwright() as playwright:
        browser = launch(playwright, video, grant_camera=False)
        try:
            yield SimpleNamespace(base=base, new_phone=lambda: _phone(playwright, browser, base))
        finally:
            browser.close()


def _phone(playwright, browser, base):
    """A phone-shaped context, camera not yet allowed; returns (context, page, errors)."""
    context = phone_context(playwright, browser, "Pixel 7", base, grant_camera=False)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def open_scan_page_online(scene, context, page):
    """Open the scan page online, wait until the page and the lists are kept on the phone."""
    from playwright.sync_api import expect

    log_in(page, scene.trainer.email, Factory.PASSWORD)
    page.goto(f"/workshops/{scene.workshop.id}/scan")
    expect(page.locator("#camera-status")).to_contain_text("Accès à la caméra refusé", timeout=WAIT_MS)
    expect(page.locator("#scan")).to_have_attribute("data-lists-kept", "1", timeout=WAIT_MS)
    expect(page.locator("#scan")).to_have_attribute("data-page-kept", "1", timeout=WAIT_MS)


def start_camera(context, page):
    context.grant_permissions(["camera"], origin=page.url.split("/workshops")[0])
    page.evaluate(RECORD_VERDICTS)
    page.click("#camera-retry")


def wait_for_verdict(page, *parts):
    """Wait until the page has announced a verdict containing every part."""
    page.wait_for_function("parts => window.verdicts.some(v => parts.every(p => v.includes(p)))", arg=list(parts),
                           timeout=WAIT_MS)


def _database(app):
    from partner_site.extensions import db

    db.session.rollback()
    return db.session


def test_a_workshop_run_offline_is_counted_once_back_online(scene, tmp_path):
    from playwright.sync_api import expect

    first, second, third = scene.tickets
    forged = codes.encode_code(Ed25519PrivateKey.generate(), scene.app.extensions["keyring"].active_kid,
                               scene.factory.tickets()[0].number)
    video = scenes_video(str(tmp_path / "offline.y4m"), [
        (None, 1), (code_of(first), 1.2), (None, 3), (code_of(second), 1.2), (None, 3), (code_of(third), 1.2),
        (None, 3), (forged, 1.2), (None, 3), (code_of(first), 1.2), (None, 3)])
    serials = [format_serial(codes.ticket_serial(t.number)) for t in scene.tickets]

    with browser_for(scene, video) as browser:
        context, page, errors = browser.new_phone()
        open_scan_page_online(scene, context, page)

        context.set_offline(True)
        start_camera(context, page)
        rows = page.locator("#redemptions li.provisional")
        expect(rows).to_have_count(3, timeout=WAIT_MS)
        expect(page.locator("#network-status")).to_contain_text("Hors connexion")
        expect(page.locator("#network-status")).to_contain_text("3 scan(s) en attente de synchronisation")
        wait_for_verdict(page, "Accepté hors connexion", "en attente de synchronisation")
        screenshot(page, "offline-1-provisional")
        wait_for_verdict(page, "Ticket refusé", "n'a pas été émis par le Département")
        wait_for_verdict(page, "Déjà validé", "déjà scanné sur ce téléphone")
        screenshot(page, "offline-2-refused-on-the-phone")
        assert _database(scene.app).execute(sa.select(Redemption)).first() is None, "nothing left the phone"

        # The phone is reloaded in the village hall: the page opens from the service worker, the queue is kept.
        response = page.reload()
        assert response.from_service_worker
        expect(page.locator("#redemptions li.provisional")).to_have_count(3, timeout=WAIT_MS)
        expect(page.locator("#redemptions li.provisional .state").first).to_have_text("en attente de synchronisation")
        assert sorted(page.locator("#redemptions li.provisional .serial").all_text_contents()) == sorted(serials)
        screenshot(page, "offline-3-reloaded-offline")

        context.set_offline(False)
        expect(page.locator("#redemptions li.confirmed")).to_have_count(3, timeout=WAIT_MS)
        expect(page.locator("#redemptions li.provisional")).to_have_count(0)
        expect(page.locator("#count")).to_have_text("3")
        expect(page.locator("#network-status")).to_be_hidden()
        screenshot(page, "offline-4-confirmed")
        assert errors == [], "the page's script failed"

    session = _database(scene.app)
    redemptions = session.execute(sa.select(Redemption)).scalars().all()
    assert sorted(r.ticket_id for r in redemptions) == sorted(t.id for t in scene.tickets)
    assert all(r.offline and r.voided_at is None for r in redemptions)
    assert all(r.scanned_at < r.redeemed_at for r in redemptions), "the phone's scan time, then the upload time"
    assert session.execute(sa.select(FailedScan).where(FailedScan.offline.is_(True))).first() is None


def test_a_ticket_scanned_offline_here_and_online_elsewhere_counts_once_and_shows_the_conflict(scene, tmp_path):
    from playwright.sync_api import expect

    ticket = scene.tickets[0]
    serial = format_serial(codes.ticket_serial(ticket.number))
    video = scenes_video(str(tmp_path / "one.y4m"), [(None, 1), (code_of(ticket), 1.2), (None, 4)])
    colleague = scene.factory.user("trainer", scene.partner, full_name="Dominique Collègue")
    staff = scene.factory.user(Role.INSTRUCTOR)

    with browser_for(scene, video) as browser:
        offline_context, offline_phone, errors = browser.new_phone()
        open_scan_page_online(scene, offline_context, offline_phone)
        offline_context.set_offline(True)
        start_camera(offline_context, offline_phone)
        expect(offline_phone.locator("#redemptions li.provisional")).to_have_count(1, timeout=WAIT_MS)

        # Meanwhile a colleague's phone, online, validates the same ticket.
        online_context, online_phone, _errors = browser.new_phone()
        log_in(online_phone, colleague.email, Factory.PASSWORD)
        online_context.grant_permissions(["camera"], origin=browser.base)
        online_phone.goto(f"/workshops/{scene.workshop.id}/scan")
        expect(online_phone.locator("#verdict-title")).to_have_text("Ticket accepté", timeout=WAIT_MS)
        online_context.close()

        offline_context.set_offline(False)
        conflict = offline_phone.locator("#redemptions li.conflict")
        expect(conflict).to_have_count(1, timeout=WAIT_MS)
        expect(conflict.locator(".state")).to_contain_text("déjà validé")
        screenshot(offline_phone, "offline-5-conflict-on-the-phone")

        offline_phone.reload()  # the page itself lists the conflict, from the server
        expect(offline_phone.locator("#conflicts li")).to_have_count(1, timeout=WAIT_MS)
        expect(offline_phone.locator("#conflicts li")).to_contain_text(serial)
        screenshot(offline_phone, "offline-6-conflict-listed")
        assert errors == []

        staff_context, staff_page, _errors = browser.new_phone()
        log_in(staff_page, staff.email, Factory.PASSWORD)
        staff_page.goto("/staff/claims/conflicts")
        row = staff_page.locator("#offline-conflicts tbody tr")
        expect(row).to_have_count(1)
        for text in ("Association Cagire Numérique", "Créer et utiliser une adresse e-mail", serial, "Ticket déjà validé"):
            expect(row).to_contain_text(text)
        screenshot(staff_page, "offline-7-staff-conflicts")

    session = _database(scene.app)
    live = session.execute(sa.select(Redemption).where(Redemption.voided_at.is_(None))).scalars().all()
    assert [(r.ticket_id, r.offline) for r in live] == [(ticket.id, False)], "the online scan counts, once"
    conflict = session.execute(sa.select(FailedScan).where(FailedScan.offline.is_(True))).scalar_one()
    assert (conflict.ticket_id, conflict.reason, conflict.workshop_id) == (ticket.id, "already_redeemed",
                                                                           scene.workshop.id)
    assert conflict.scanned_at is not None and conflict.scanned_at < conflict.created_at


# A browser whose WebCrypto has no Ed25519 (older Safari, Firefox before 129): the page must use @noble/ed25519.
WITHOUT_ED25519 = """(() => {
  const subtle = crypto.subtle;
  for (const name of ["generateKey", "importKey", "verify"]) {
    const original = subtle[name].bind(subtle);
    subtle[name] = (algorithm, ...rest) => {
      const asked = typeof algorithm === "string" ? algorithm : (algorithm || {}).name;
      if (asked === "Ed25519") return Promise.reject(new DOMException("Unrecognized name", "NotSupportedError"));
      return original(algorithm, ...rest);
    };
  }
})();"""


def test_without_ed25519_in_webcrypto_the_phone_verifies_with_the_npm_library(scene, tmp_path):
    from playwright.sync_api import expect

    ticket = scene.tickets[0]
    forged = codes.encode_code(Ed25519PrivateKey.generate(), scene.app.extensions["keyring"].active_kid,
                               scene.tickets[1].number)
    video = scenes_video(str(tmp_path / "noble.y4m"), [(None, 1), (code_of(ticket), 1.2), (None, 3), (forged, 1.2),
                                                      (None, 3)])
    with browser_for(scene, video) as browser:
        context, page, errors = browser.new_phone()
        context.add_init_script(WITHOUT_ED25519)
        fetched = []
        context.on("request", lambda request: fetched.append(request.url))
        open_scan_page_online(scene, context, page)
        assert any(url.endswith("/static/vendor/noble-ed25519/index.js") for url in fetched)

        context.set_offline(True)
        start_camera(context, page)
        expect(page.locator("#redemptions li.provisional")).to_have_count(1, timeout=WAIT_MS)
        wait_for_verdict(page, "Ticket refusé", "n'a pas été émis par le Département")
        assert errors == []
