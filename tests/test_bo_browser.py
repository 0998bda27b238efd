"""The back office in a real browser at phone width: dashboard, a request registered and mailed.

Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""
import os
import shutil

import pytest

from partner_site.cli.demo import PASSWORD, build_demo
from partner_site.extensions import db

from .browser_support import ARTIFACTS, CHROMIUM, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(live_server):
    """The live server, with the demo's people and data in its database."""
    build_demo()
    db.session.commit()
    return live_server


def _login(page, base, email):
    log_in(page, email, PASSWORD, base)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_the_dashboard_reads_on_a_phone(demo_server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    _login(page, demo_server, "payeur@cd31.example")
    page.goto(f"{demo_server}/bo/")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("h1").inner_text() == "Tableau de bord"
    page.screenshot(path=os.path.join(ARTIFACTS, "dashboard-phone.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(wide, demo_server, "payeur@cd31.example")
    wide.goto(f"{demo_server}/bo/")
    wide.screenshot(path=os.path.join(ARTIFACTS, "dashboard-desktop.png"), full_page=True)


def test_a_reception_agent_registers_a_request_and_assigns_a_booklet_in_the_browser(demo_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _login(page, demo_server, "accueil-st-gaudens@cd31.example")
    page.goto(f"{demo_server}/bo/requests/new")
    page.select_option("select[name=civility]", "Monsieur")
    page.fill("input[name=first_name]", "Bernard")
    page.fill("input[name=last_name]", "Lacoste")
    page.fill("input[name=address_street]", "5 rue de l'Église")
    page.fill("input[name=postcode]", "31800")
    page.select_option("select[name=commune_insee]", "31483")
    page.check("input[value=isolated_elderly]")
    page.check("input[name=consent]")
    page.screenshot(path=os.path.join(ARTIFACTS, "request-form-phone.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=enregistrée")
    assert "5 rue de l'Église" in page.inner_text("pre.address")
    page.click("text=Attribuer un carnet")
    page.wait_for_selector("text=ses tickets sont utilisables")
    assert page.locator("text=Courrier et liste des structures (PDF)").count() == 1
    page.screenshot(path=os.path.join(ARTIFACTS, "request-detail-phone.png"), full_page=True)
    assert _no_horizontal_scroll(page)


def test_screenshots_need_no_network(demo_server, browser):
    """Every asset of the back office is served by the site itself (CSP default-src 'self')."""
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(demo_server) else None)
    _login(page, demo_server, "instructeur@cd31.example")
    for url in ("/bo/", "/bo/campaigns", "/bo/partners", "/bo/requests", "/bo/audit"):
        page.goto(demo_server + url)
    assert outside == []
    assert shutil.which("chromium") or os.path.exists(CHROMIUM)
