"""The workshop and team pages in a real browser at 360 px: a few taps to a workshop, an invitation, the sheet."""
import os
import re

import pytest
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import User, Workshop

from .browser_support import launch, log_in, require_chromium, screenshot, threaded_server
from .helpers import Factory, link_sent_to

pytestmark = pytest.mark.browser

SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
               "has_touch": True}


def _fits_the_screen(page):
    """Nothing wider than the phone: no sideways scrolling on any page."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_manager_creates_a_workshop_invites_a_trainer_and_prints_the_sheet(app, backend, factory):
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only: the pages are the same on PostgreSQL")
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    partner = factory.partner(name="Les Clics d'Aurignac", commune_insee="31028")
    manager = factory.user("manager", partner, full_name="Rose Responsable")
    with threaded_server(app) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(**SMALL_PHONE, base_url=base, locale="fr-FR").new_page()
            log_in(page, manager.email, Factory.PASSWORD)
            screenshot(page, "pages-1-home-empty")
            page.click("text=Créer un atelier")
            _fits_the_screen(page)
            screenshot(page, "pages-2-new-workshop")
            # A few taps: a theme, then the defaults (today, next hour, 2 h, the association's commune).
            page.check("text=Faire ses démarches en ligne")
            page.fill("#place", "Médiathèque")
            page.click("button:has-text(\"Créer l'atelier\")")
            expect(page.locator(".flash-success")).to_contain_text("Faire ses démarches en ligne")
            _fits_the_screen(page)
            screenshot(page, "pages-3-home-with-workshop")

            page.click("text=Formateurs")
            page.fill("#full_name", "Nora Nouvelle")
            page.fill("#email", "nora@example.org")
            page.click("text=Envoyer l'invitation")
            expect(page.locator(".flash-success")).to_contain_text("Invitation envoyée à nora@example.org")
            link = link_sent_to("nora@example.org")  # the e-mail the trainer receives
            assert "/invitation/" in link
            _fits_the_screen(page)
            screenshot(page, "pages-4-team-invitation")

            invited = browser.new_context(**SMALL_PHONE, base_url=base, locale="fr-FR").new_page()
            invited.goto(link.replace("http://127.0.0.1:5000", base))
            screenshot(invited, "pages-5-accept-invitation")
            invited.fill("#password", "un-mot-de-passe-solide")
            invited.fill("#confirm", "un-mot-de-passe-solide")
            invited.click("text=Créer mon compte")
            expect(invited.locator("h1")).to_have_text("Les Clics d'Aurignac")
            expect(invited.locator(".workshop h3")).to_contain_text("Faire ses démarches en ligne")

            workshop_id = db.session.execute(sa.select(Workshop.id)).scalar_one()
            invited.goto(f"/workshops/{workshop_id}/attendance")
            _fits_the_screen(invited)
            screenshot(invited, "pages-6-attendance-sheet")
            page.goto("/workshops/all")
            _fits_the_screen(page)
            screenshot(page, "pages-7-all-workshops")
            page.goto(f"/workshops/{workshop_id}/scan")
            _fits_the_screen(page)
        finally:
            browser.close()

    db.session.rollback()
    workshop = db.session.execute(sa.select(Workshop)).scalar_one()
    assert (workshop.title, workshop.commune_insee, workshop.place) == (
        "Faire ses démarches en ligne", "31028", "Médiathèque")
    nora = db.session.execute(sa.select(User).where(User.email == "nora@example.org")).scalar_one()
    assert nora.partner_id == partner.id and re.fullmatch(r".+", nora.full_name)


def test_the_attendance_sheet_prints_without_the_menus(app, backend, factory, login, tmp_path):
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only: the pages are the same on PostgreSQL")
    require_chromium()
    import shutil
    import subprocess

    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    from partner_site.domain.codes import format_serial

    from .browser_support import ARTIFACTS

    partner = factory.partner(name="Association Cagire Numérique")
    trainer = factory.user("trainer", partner, full_name="Camille Formatrice")
    workshop = factory.workshop(partner, title="Utiliser son smartphone", commune_insee="31020", place="Salle des fêtes")
    tickets = [factory.tickets()[0] for _ in range(3)]
    for ticket in tickets:
        assert login(trainer).redeem(workshop, ticket).status_code == 201
    pdf_path = os.path.join(ARTIFACTS, "attendance-sheet.pdf")
    with threaded_server(app) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(**SMALL_PHONE, base_url=base, locale="fr-FR").new_page()
            log_in(page, trainer.email, Factory.PASSWORD)
            page.goto(f"/workshops/{workshop.id}/attendance")
            screenshot(page, "pages-8-attendance-sheet-filled")
            os.makedirs(ARTIFACTS, exist_ok=True)
            page.pdf(path=pdf_path, format="A4")
        finally:
            browser.close()

    text = " ".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "Feuille d'émargement" in text and "Camille Formatrice" in text
    assert all(format_serial(t.serial) in text for t in tickets)
    assert "Se déconnecter" not in text and "Imprimer" not in text and "Retour au scan" not in text
    if shutil.which("pdftoppm"):  # a picture of the paper, for a person to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf_path,
                        os.path.join(ARTIFACTS, "attendance-sheet")], check=True)
