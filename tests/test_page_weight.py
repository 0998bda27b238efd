"""Page weight for rural connections, measured on the wire: gunicorn alone (no proxy), Chromium on a phone.

First load of the scan page with an empty cache, decoder included: at most 100 KB. Each scan:
one request and one answer. The answer, headers included, is at most 1 KB; the request's body
is at most 1 KB, and its headers are mostly the browser's own (user agent, client hints, fetch
metadata) plus the session cookie and the CSRF token, about 1 KB more over HTTP/1.1 (HTTP/2
behind a proxy compresses repeated headers to a few bytes). The figures go to
test-artifacts/page-weight.json and are printed (`make page-weight`); the README quotes them.
"""
import json
import os
import re

import pytest

from .browser_support import ARTIFACTS, launch, phone_context, require_chromium, ticket_video
from .helpers import Factory, code_of
from .servers import Gunicorn, server_env

pytestmark = pytest.mark.browser

FIRST_LOAD_BUDGET = 100_000
SCAN_BUDGET = 1024


def _log_in_without_the_page(context, email):
    """Sign in through the form's HTTP requests only, so that the page's cache starts empty."""
    form = context.request.get("/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = context.request.post("/login", form={"email": email, "password": Factory.PASSWORD,
                                                    "csrf_token": token}, max_redirects=0)
    assert response.status == 302


def _on_the_wire(request) -> dict:
    sizes = request.sizes()
    response = request.response()
    return {"url": request.url.split("/", 3)[-1], "method": request.method,
            "by": "worker" if request.service_worker else "page",
            "encoding": response.headers.get("content-encoding", "") if response else "",
            "sent": sizes["requestHeadersSize"] + sizes["requestBodySize"],
            "sent_body": sizes["requestBodySize"],
            "received": sizes["responseHeadersSize"] + sizes["responseBodySize"],
            "received_body": sizes["responseBodySize"]}


def test_the_scan_page_and_each_scan_fit_a_rural_connection(app, backend, factory, tmp_path):
    if backend != "sqlite":
        pytest.skip("measured once, on SQLite: the bytes on the wire do not depend on the database")
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    partner = factory.partner()
    trainer = factory.user("trainer", partner)
    workshop = factory.workshop(partner, title="Faire ses démarches en ligne")
    video = ticket_video(str(tmp_path / "ticket.y4m"), code_of(factory.tickets()[0]))
    rate_limits_on = {**server_env(app), "RATELIMIT_ENABLED": "1"}  # their headers are part of each answer
    with Gunicorn(rate_limits_on, workers=1, threads=4) as server, sync_playwright() as playwright:
        browser = launch(playwright, video)
        try:
            context = phone_context(playwright, browser, "Pixel 7", server.url)
            _log_in_without_the_page(context, trainer.email)
            page = context.new_page()
            finished = []  # the page's requests and its service worker's own (which keeps the page for offline)
            context.on("requestfinished", lambda request: finished.append(request))
            page.goto(f"/workshops/{workshop.id}/scan")
            expect(page.locator("#verdict")).to_have_class(re.compile(r"\bverdict-accepted\b"), timeout=30_000)
            expect(page.locator("#scan")).to_have_attribute("data-page-kept", "1", timeout=30_000)
            page.wait_for_load_state("networkidle")
            wire = [_on_the_wire(r) for r in finished]
        finally:
            browser.close()

    scans = [w for w in wire if w["url"] == "api/v1/redemptions"]
    first_load = [w for w in wire if w not in scans]
    figures = {
        "first_load_received": sum(w["received"] for w in first_load),
        "first_load_sent": sum(w["sent"] for w in first_load),
        "first_load": first_load,
        "scan": scans,
    }
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "page-weight.json"), "w") as out:
        json.dump(figures, out, indent=2)
    print("\nScan page, first load (Pixel 7, empty cache, gunicorn alone):")
    for w in first_load:
        print(f"  {w['by']:<6} {w['method']:<6} {w['url'][:40]:<40} {w['encoding'] or '-':<5} received {w['received']:>7} B"
              f"  (body {w['received_body']:>6} B)")
    print(f"  total received {figures['first_load_received']} B, sent {figures['first_load_sent']} B")
    for w in scans:
        print(f"  one scan: request {w['sent']} B with headers (body {w['sent_body']} B),"
              f" answer {w['received']} B (body {w['received_body']} B)")

    assert {w["url"].rsplit("/", 1)[-1] for w in first_load} >= {"scan", "site.css", "partner.css", "scan.js", "jsQR.js"}
    assert next(w for w in first_load if w["url"].endswith("jsQR.js"))["encoding"] in ("br", "gzip", "zstd")
    assert figures["first_load_received"] <= FIRST_LOAD_BUDGET
    assert len(scans) == 1  # the ticket stays in view: one scan, one request
    assert scans[0]["sent_body"] <= SCAN_BUDGET and scans[0]["received"] <= SCAN_BUDGET
