"""The claims pages in a real browser, phone-sized: the money cycle clicked through, screenshots kept.

Screenshots go to test-artifacts/claims-*.png (git-ignored), to be looked at.
"""
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import Claim, ClaimStatus

from .browser_support import ARTIFACTS, log_in
from .claims_world import campaign_for_last_month, make_world, validations

pytestmark = pytest.mark.browser


def _page(browser, base, user, password):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="fr-FR")
    page = context.new_page()
    log_in(page, user.email, password, base)  # each role has its own home page
    return page


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"claims-{name}.png"), full_page=True)


def test_the_money_cycle_clicked_through_on_a_phone(live_server, browser, factory):
    world = make_world(factory)
    campaign = campaign_for_last_month(factory)
    validations(factory, world, campaign, 4)
    factory.workshop(world.partner)  # today's workshop, so the running month shows too
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    password = factory.PASSWORD

    manager = _page(browser, live_server, world.manager, password)
    manager.click("text=Remboursements")
    _shot(manager, "1-association")
    manager.click("button:has-text('Envoyer la demande')")
    manager.click("button:has-text('Confirmer l')")
    assert "Demande envoyée" in manager.inner_text("main")
    _shot(manager, "2-association-sent")

    instructor = _page(browser, live_server, world.instructor, password)
    instructor.click("text=Demandes")
    _shot(instructor, "3-staff-queue")
    db.session.expire_all()
    instructor.click(f"text={db.session.get(Claim, claim.id).reference}")
    instructor.locator("input[name=lines]").first.check()
    instructor.fill("#reason", "Ticket présenté par une autre personne")
    instructor.click("button:has-text('Refuser les tickets cochés')")
    assert "1 ticket(s) refusé(s)." in instructor.inner_text("main")
    _shot(instructor, "4-staff-review")
    instructor.click("button:has-text('Approuver la demande')")
    instructor.click("button:has-text('Confirmer l')")
    assert "Demande approuvée" in instructor.inner_text("main")

    finance = _page(browser, live_server, world.finance, password)
    finance.click("text=Paiements")
    finance.fill("input[name=requested_on]", (local_today() + timedelta(days=2)).isoformat())
    _shot(finance, "5-finance")
    finance.click("button:has-text('Créer le lot de paiement')")
    assert "Lot de paiement créé" in finance.inner_text("main")
    with finance.expect_download() as download:
        finance.click("text=Fichier SEPA (XML)")
    assert download.value.suggested_filename.endswith(".xml")
    finance.fill("input[name=bank_reference]", "VIR-2021-0042")
    finance.click("button:has-text('Enregistrer le lot comme exécuté')")
    finance.click("button:has-text('Confirmer le paiement')")
    assert "exécuté" in finance.inner_text("main")
    _shot(finance, "6-finance-batch")

    manager.goto(f"{live_server}/claims/")
    text = manager.inner_text("main")
    assert "Payée" in text and "Ticket présenté par une autre personne" in text
    _shot(manager, "7-association-paid")
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == ClaimStatus.PAID

    # New bank details: entered by the association, checked by finance.
    manager.click("text=Coordonnées bancaires")
    manager.fill("input[name=holder_name]", "Association Cagire Numérique")
    manager.fill("input[name=iban]", "FR14 2004 1010 0505 0001 3M02 606")
    manager.fill("input[name=bic]", "PSSTFRPPTOU")
    manager.fill("input[name=siret]", world.partner.siret)
    manager.click("button:has-text('Enregistrer et demander la vérification')")
    assert "vos paiements sont suspendus" in manager.inner_text("main")
    _shot(manager, "8-association-bank")
    finance.click("text=RIB à vérifier")
    assert "FR14 2004 1010 0505 0001 3M02 606" in finance.inner_text("main")
    _shot(finance, "9-finance-bank-details")
