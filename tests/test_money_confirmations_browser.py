"""The three confirmations that move money, clicked through in a real browser (the manager's with JavaScript off).

Screenshots go to test-artifacts/confirm-*.png (git-ignored), to be looked at.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import BatchStatus, Claim, ClaimStatus, PaymentBatch

from .browser_support import log_in, screenshot
from .claims_world import campaign_for_last_month, make_world, validations

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}


def _page(browser, base, user, password, viewport, javascript=True):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, user.email, password, base)
    return page


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def _on_a_phone(page, name):
    """Look at the same page at phone width too (staff read the back office on the road)."""
    page.set_viewport_size(PHONE)
    screenshot(page, name)
    assert _no_horizontal_scroll(page)
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.wait_for_timeout(200)  # let the phone-width layout settle before the picture
    screenshot(page, f"{name}-button")
    page.set_viewport_size(LAPTOP)


def _axe_problems(page) -> list[str]:
    """Run axe-core (WCAG 2.1 A/AA) as tests/test_accessibility.py does; it needs JavaScript on in the page."""
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    from .test_accessibility import AXE_OPTIONS

    results = axe_module.Axe().run(page, options=AXE_OPTIONS).response
    return [f"{v['id']} ({v['impact']})" for v in results["violations"] if v["impact"] in ("serious", "critical")]


def _status(claim_id) -> ClaimStatus:
    db.session.expire_all()
    return db.session.get(Claim, claim_id).status


def test_sending_approving_and_paying_each_ask_for_confirmation(live_server, browser, factory):
    world = make_world(factory)
    validations(factory, world, campaign_for_last_month(factory), 4)
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    password = factory.PASSWORD

    # The association's manager, on a phone: the button leads to a page restating the amount.
    manager = _page(browser, live_server, world.manager, password, PHONE, javascript=False)
    manager.goto(f"{live_server}/claims/")
    manager.click("button:has-text('Envoyer la demande')")
    assert manager.locator("h1").inner_text().startswith("Envoyer la demande de")
    screenshot(manager, "confirm-1-send-phone")
    assert _no_horizontal_scroll(manager)
    assert _status(claim.id) == ClaimStatus.OPEN
    manager.click("a:has-text('Annuler')")
    assert manager.url.endswith(f"/claims/{claim.id}") and _status(claim.id) == ClaimStatus.OPEN
    manager.click("button:has-text('Envoyer la demande')")
    manager.click("button:has-text(\"Confirmer l'envoi de 40,00\")")
    assert "Demande envoyée" in manager.inner_text("main")
    assert _status(claim.id) == ClaimStatus.SUBMITTED

    # The instructor approves: accepted and rejected lines and the amount approved.
    instructor = _page(browser, live_server, world.instructor, password, LAPTOP)
    instructor.goto(f"{live_server}/staff/claims/{claim.id}")
    instructor.locator("input[name=lines]").first.check()
    instructor.fill("#reason", "Ticket présenté par une autre personne")
    instructor.click("button:has-text('Refuser les tickets cochés')")
    instructor.click("button:has-text('Approuver la demande')")
    text = instructor.inner_text("main")
    assert "Tickets acceptés" in text and "Tickets refusés" in text
    screenshot(instructor, "confirm-2-approve")
    assert _axe_problems(instructor) == []
    _on_a_phone(instructor, "confirm-2-approve-phone")
    assert _status(claim.id) == ClaimStatus.SUBMITTED
    instructor.click("button:has-text(\"Confirmer l'approbation de 30,00\")")
    assert "Demande approuvée" in instructor.inner_text("main")
    assert _status(claim.id) == ClaimStatus.APPROVED

    # Finance builds a batch for the day after tomorrow, then records it executed today: warned.
    finance = _page(browser, live_server, world.finance, password, LAPTOP)
    finance.goto(f"{live_server}/finance/")
    requested = local_today() + timedelta(days=2)
    finance.fill("input[name=requested_on]", requested.isoformat())
    finance.click("button:has-text('Créer le lot de paiement')")
    finance.fill("input[name=bank_reference]", "VIR-2021-0042")
    finance.click("button:has-text('Enregistrer le lot comme exécuté')")
    warning = f"La date d'exécution demandée est le {requested.strftime('%d/%m/%Y')}"
    assert warning in finance.inner_text("main")
    screenshot(finance, "confirm-3-execute-early")
    assert _axe_problems(finance) == []
    _on_a_phone(finance, "confirm-3-execute-early-phone")
    batch = db.session.execute(sa.select(PaymentBatch)).scalar_one()
    assert batch.status == BatchStatus.DRAFT
    finance.click("button:has-text('Confirmer le paiement de 30,00')")
    assert "exécuté" in finance.inner_text("main")
    assert _status(claim.id) == ClaimStatus.PAID
