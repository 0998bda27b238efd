"""Signing in as staff in a real browser at 360 px: the enrolment with its QR code, the recovery codes,
the second step, and the administrator's accounts page. Screenshots go to test-artifacts/."""
import os
import time

import pyotp
import pytest

from partner_site.models import Role

from .browser_support import ARTIFACTS
from .helpers import Factory

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"accounts-{name}.png"), full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), name


def _password(page, base, email):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", Factory.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_an_administrator_enrols_signs_in_again_with_a_code_and_manages_accounts(live_server, browser, factory):
    admin = factory.user(Role.ADMIN, enrolled=False, email="alice@cd31.example", full_name="Alice Administratrice")
    factory.user(Role.INSTRUCTOR, email="ines@cd31.example", full_name="Inès Instructrice")
    factory.user(Role.FINANCE, email="paul@cd31.example", full_name="Paul Payeur", enrolled=False)
    page = browser.new_page(viewport=PHONE, device_scale_factor=1)
    _password(page, live_server, admin.email)
    assert page.url.endswith("/login/enrol")
    assert page.locator("img.qr").evaluate("img => img.naturalWidth > 100")
    _shot(page, "enrol")
    secret = page.text_content("code.secret").replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    assert page.locator("ol.codes li").count() == 10
    _shot(page, "recovery-codes")
    page.click("text=continuer")
    page.wait_for_url(f"{live_server}/bo/staff/")
    page.click("text=Se déconnecter")
    _password(page, live_server, admin.email)
    assert page.url.endswith("/login/code")
    _shot(page, "second-step")
    next_step = int(time.time() // 30) + 1  # the current step was spent by the enrolment
    page.fill("input[name=code]", pyotp.TOTP(secret).generate_otp(next_step))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/bo/staff/")
    assert page.locator("h1").inner_text() == "Comptes du Département"
    _shot(page, "staff")
    page.click("text=Paul Payeur")
    _shot(page, "staff-member")
