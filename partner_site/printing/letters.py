"""The mailing: a letter for a DL window envelope, and a flyer of the nearest accredited partners.

The A4 letter is folded in three (folds at 99 and 198 mm, marked in the margin). In a DL
envelope (220 x 110 mm) with a right-hand window of 100 x 45 mm set 20 mm from the right
and 15 mm from the bottom, the window shows the area 95 to 195 mm from the sheet's left edge
and about 50 to 95 mm from its top, allowing for the sheet's play in the envelope. The
address block is printed at 110 mm from the left and 55 mm from the top, 85 x 33 mm
(the layout French post recommends), in 10 pt DejaVu Sans; nothing else is printed there.
"""
from datetime import date
from typing import BinaryIO, Iterable

from flask import current_app
from flask_babel import gettext as _

from ..domain.communes import commune
from ..domain.nearby import SAME_ARRONDISSEMENT, SAME_COMMUNE, SAME_EPCI, nearby_partners
from ..formatting import money
from ..models import BeneficiaryRequest
from ..models.vouchers import Booklet
from .canvas import PageCanvas
from .pdfstream import PdfWriter
from .postal import address_lines

PAGE_H = 297
ADDRESS_X, ADDRESS_TOP, ADDRESS_W, ADDRESS_H = 110, 55, 85, 33
ADDRESS_SIZE, ADDRESS_LEADING = 10, 4.6
FOLDS = (99, 198)
MARGIN = 20
BLUE, GREY = (0, 0, 0.569), (0.35, 0.35, 0.35)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def french_date(day: date) -> str:
    return f"{day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def _top(y_from_top: float) -> float:
    return PAGE_H - y_from_top


def _sender(page: PageCanvas, request: BeneficiaryRequest):
    department = current_app.config.get("DEPARTMENT_NAME", "Département de la Haute-Garonne")
    page.text(MARGIN, _top(20), department, "bold", 12, color=BLUE)
    page.text(MARGIN, _top(25.5), _("Pass numérique : l'accompagnement au numérique"), "regular", 9, color=GREY)
    point = request.reception_point
    y = _top(34)
    for line in (point.name, point.address):
        if line:
            y = page.paragraph(MARGIN, y, line, 80, "regular", 8.5, 3.8, color=GREY)


def _address(page: PageCanvas, request: BeneficiaryRequest):
    y = _top(ADDRESS_TOP) - ADDRESS_SIZE * 0.3528  # first baseline: one line's height below the block's top
    for line in address_lines(request):
        page.text(ADDRESS_X, y, line, "regular", ADDRESS_SIZE)
        y -= ADDRESS_LEADING


def _fold_marks(page: PageCanvas):
    for fold in FOLDS:
        page.line(4, _top(fold), 9, _top(fold), 0.3, GREY)


def _salutation(request: BeneficiaryRequest) -> str:
    return {"Madame": _("Madame,"), "Monsieur": _("Monsieur,")}.get(request.civility, _("Madame, Monsieur,"))


def letter_page(request: BeneficiaryRequest, booklet: Booklet, today: date) -> PageCanvas:
    """Draw the covering letter sent with a booklet."""
    page = PageCanvas()
    _fold_marks(page)
    _sender(page, request)
    _address(page, request)
    campaign = booklet.campaign
    place = commune(request.reception_point.commune_insee)
    page.text(MARGIN, _top(108), _("%(place)s, le %(day)s", place=place.name if place else "", day=french_date(today)))
    page.text(MARGIN, _top(120), _("Objet : votre carnet Pass numérique n° %(serial)s", serial=booklet.serial), "bold",
              10.5)
    y = _top(134)
    paragraphs = [
        _salutation(request),
        _("Vous trouverez ci-joint votre carnet Pass numérique de %(n)s tickets d'une valeur de %(value)s chacun. "
          "Ils sont valables jusqu'au %(until)s.", n=campaign.booklet_size, value=money(campaign.face_value_cents),
          until=campaign.valid_until.strftime("%d/%m/%Y")),
        _("Chaque ticket vous ouvre gratuitement l'accès à un atelier pour apprendre à utiliser un ordinateur, une "
          "tablette ou un téléphone, et à faire vos démarches en ligne. Vous n'avez rien à payer : remettez un "
          "ticket à l'association au début de chaque atelier."),
        _("La feuille jointe donne la liste des structures habilitées les plus proches de chez vous, avec leurs "
          "coordonnées. Appelez-les pour vous inscrire à un atelier."),
        _("Gardez vos tickets en lieu sûr. En cas de perte ou de vol, prévenez au plus vite votre point d'accueil "
          "(%(point)s) : les tickets seront bloqués et un nouveau carnet pourra vous être envoyé.",
          point=request.reception_point.name),
        _("Nous vous souhaitons de bons ateliers."),
    ]
    for text in paragraphs:
        y = page.paragraph(MARGIN, y, text, 210 - 2 * MARGIN, "regular", 10.5, 5.2) - 3
    page.text(210 - MARGIN - 60, y - 8, _("Le service Pass numérique"), "bold", 10.5)
    page.paragraph(MARGIN, 17, _("Vos données sont utilisées pour vous envoyer ce carnet et pour les statistiques du "
                                 "dispositif. Elles sont effacées après la clôture de votre demande."),
                   210 - 2 * MARGIN, "regular", 7, 3.2, color=GREY)  # wrapped: DejaVu is wider than Helvetica
    return page


def flyer_page(request: BeneficiaryRequest, limit: int = 8) -> PageCanvas:
    """Draw the flyer listing the accredited partners nearest the beneficiary's commune."""
    page = PageCanvas()
    home = commune(request.commune_insee)
    page.rect(MARGIN, _top(32), 210 - 2 * MARGIN, 16, fill=BLUE)
    page.text(MARGIN + 6, _top(25), _("Où utiliser vos Pass numériques ?"), "bold", 16, color=(1, 1, 1))
    page.text(MARGIN + 6, _top(29.5), _("Les structures habilitées les plus proches de %(commune)s",
                                        commune=home.name if home else ""), "regular", 9.5, color=(1, 1, 1))
    where = {SAME_COMMUNE: _("Dans votre commune"), SAME_EPCI: _("Dans votre intercommunalité"),
             SAME_ARRONDISSEMENT: _("Dans votre arrondissement")}
    y = _top(44)
    found = nearby_partners(request.commune_insee, limit)
    for item in found:
        p = item.partner
        page.text(MARGIN, y, p.name, "bold", 11)
        page.text(210 - MARGIN, y, where.get(item.rank, _("Dans le département")), "regular", 8.5, "right",
                  color=BLUE)
        y -= 5
        place = item.commune.name if item.commune else ""
        details = [p.address if place and place in p.address else ", ".join(filter(None, (p.address, place))),
                   " · ".join(filter(None, (p.contact_phone, p.contact_email))),
                   _("Contact : %(name)s", name=p.contact_name) if p.contact_name else ""]
        for line in filter(None, details):
            page.text(MARGIN, y, line, "regular", 9.5, color=GREY)
            y -= 4.4
        page.line(MARGIN, y + 1, 210 - MARGIN, y + 1, 0.2, (0.8, 0.8, 0.8))
        y -= 5
    if not found:
        page.text(MARGIN, y, _("Aucune structure habilitée pour le moment : votre point d'accueil vous indiquera où "
                               "vous rendre."), "regular", 10)
    page.text(MARGIN, 14, _("Une question ? Votre point d'accueil : %(point)s.", point=request.reception_point.name),
              "regular", 8.5, color=GREY)
    return page


def write_mailing(out: BinaryIO, items: Iterable[tuple[BeneficiaryRequest, Booklet]], today: date) -> int:
    """Write letters and flyers (two pages each, for duplex printing); return the number of letters."""
    writer = PdfWriter(out, title=_("Courriers Pass numérique"))
    count = 0
    for request, booklet in items:
        writer.add_page(letter_page(request, booklet, today))
        writer.add_page(flyer_page(request))
        count += 1
    writer.close()
    return count
