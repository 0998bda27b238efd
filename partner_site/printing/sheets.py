"""The print shop's PDF: one A4 sheet per booklet, ten tickets of 92 x 54 mm with cut marks.

Each ticket carries its QR code (vector rectangles from the code's matrix), its serial, its
check code for manual entry, its face value, its validity and the campaign's name. Booklets
are read from the database in batches and pages written as they are drawn, so a campaign of
any size prints with bounded memory, from the CLI or as a streamed HTTP response.
"""
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..domain import codes
from ..domain.errors import DomainError
from ..extensions import db
from ..formatting import money
from ..models import Booklet, Campaign, Ticket
from . import qr
from .canvas import PageCanvas, wrap
from .pdfstream import ChunkBuffer, PdfWriter

PAGE_W, PAGE_H = 210, 297
COLUMNS, ROWS = 2, 5
TICKET_W, TICKET_H = 92, 54
LEFT = (PAGE_W - COLUMNS * TICKET_W) / 2  # 13 mm
BOTTOM = (PAGE_H - ROWS * TICKET_H) / 2  # 13.5 mm
MARK_GAP, MARK_LEN = 1.5, 5  # cut marks stop short of the cut, so none shows on a ticket
QR_SIZE = 33
BLUE, GREY, WHITE = (0, 0, 0.569), (0.4, 0.4, 0.4), (1, 1, 1)
BATCH = 100


@dataclass
class PrintedTicket:
    number: int
    code: str
    check_code: str
    position: int  # 1..booklet size


class Signer:
    """Sign codes and compute check codes with keys read once for the whole print run."""

    def __init__(self):
        keyring = current_app.extensions["keyring"]
        self.kid, self.key = keyring.signing_key()
        self.secret = keyring.check_code_secret()

    def ticket(self, number: int, position: int) -> PrintedTicket:
        return PrintedTicket(number, codes.encode_code(self.key, self.kid, number),
                             codes.check_code(self.secret, number), position)


def _cut_marks(page: PageCanvas):
    right, top = LEFT + COLUMNS * TICKET_W, BOTTOM + ROWS * TICKET_H
    for i in range(COLUMNS + 1):
        x = LEFT + i * TICKET_W
        page.line(x, top + MARK_GAP, x, top + MARK_GAP + MARK_LEN)
        page.line(x, BOTTOM - MARK_GAP, x, BOTTOM - MARK_GAP - MARK_LEN)
    for j in range(ROWS + 1):
        y = BOTTOM + j * TICKET_H
        page.line(LEFT - MARK_GAP, y, LEFT - MARK_GAP - MARK_LEN, y)
        page.line(right + MARK_GAP, y, right + MARK_GAP + MARK_LEN, y)


class Layout:
    """What every sheet of a campaign shares, translated and wrapped once for the whole run."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.title = _("PASS NUMÉRIQUE")
        self.value = money(campaign.face_value_cents)
        self.text_width = TICKET_W - QR_SIZE - 12
        self.name_lines = wrap(campaign.name, "bold", 7.5, self.text_width)[:2]
        self.validity_lines = wrap(_("Valable du %(start)s au %(end)s", start=campaign.starts_on.strftime("%d/%m/%Y"),
                                     end=campaign.valid_until.strftime("%d/%m/%Y")), "regular", 6.5, self.text_width)
        self.serial_label = _("Ticket n°")
        self.check_label = _("Code de contrôle")
        self.position = _("Carnet %(serial)s · %(n)s/%(size)s", serial="{serial}", n="{n}", size=campaign.booklet_size)
        self.notice = wrap(_("Gratuit pour le bénéficiaire. À remettre à une structure habilitée."), "regular", 5.5,
                           self.text_width)
        self.header = _("Carnet n° %(serial)s · %(campaign)s · %(n)s tickets", serial="{serial}",
                        campaign=campaign.name, n=campaign.booklet_size)


def _lines(page: PageCanvas, x: float, y: float, lines: list[str], font: str, size: float, leading: float,
           color=(0, 0, 0)) -> float:
    for line in lines:
        page.text(x, y, line, font, size, color=color)
        y -= leading
    return y


def _ticket(page: PageCanvas, x: float, y: float, layout: Layout, booklet_serial: str, t: PrintedTicket):
    """Draw one ticket whose bottom-left corner is at (x, y) mm."""
    # Blue band, inset from the cut so a slightly-off cut leaves no colour on the neighbour.
    page.rect(x + 2, y + TICKET_H - 11, TICKET_W - 4, 9, fill=BLUE)
    page.text(x + 5, y + TICKET_H - 8.2, layout.title, "bold", 11, color=WHITE)
    page.text(x + TICKET_W - 5, y + TICKET_H - 8.4, layout.value, "bold", 13, "right", color=WHITE)
    page.qr(x + 4, y + 5.5, QR_SIZE, qr.matrix(t.code))
    tx = x + 4 + QR_SIZE + 4
    ty = _lines(page, tx, y + TICKET_H - 15.5, layout.name_lines, "bold", 7.5, 3.2)
    ty = _lines(page, tx, ty - 0.3, layout.validity_lines, "regular", 6.5, 2.9)
    page.text(tx, ty - 2.5, layout.serial_label, "regular", 6.5, color=GREY)
    page.text(tx, ty - 6.8, codes.format_serial(codes.ticket_serial(t.number)), "mono", 10)
    page.text(tx, ty - 11.5, layout.check_label, "regular", 6.5, color=GREY)
    page.text(tx, ty - 15.8, codes.format_check_code(t.check_code), "mono", 11)
    page.text(tx, y + 8.3, layout.position.format(serial=booklet_serial, n=t.position), "regular", 6.5, color=GREY)
    _lines(page, tx, y + 5, layout.notice, "regular", 5.5, 2.3, color=GREY)


def booklet_page(layout: Layout, booklet_serial: str, tickets: list[PrintedTicket]) -> bytes:
    """Return the content stream of one booklet's sheet."""
    page = PageCanvas()
    _cut_marks(page)
    page.text(LEFT + 4, PAGE_H - BOTTOM + 3.5, layout.header.format(serial=booklet_serial), "regular", 7, color=GREY)
    for i, ticket in enumerate(tickets):
        col, row = i % COLUMNS, i // COLUMNS
        _ticket(page, LEFT + col * TICKET_W, BOTTOM + (ROWS - 1 - row) * TICKET_H, layout, booklet_serial, ticket)
    return page.content()


def _booklets(campaign: Campaign, serials: list[str] | None) -> Iterator[tuple[str, list[int]]]:
    """Yield (booklet serial, ticket numbers) in booklet order, reading the database in batches."""
    numbers = None
    if serials:
        numbers = []
        for serial in serials:
            try:
                numbers.append(codes.parse_serial(serial, length=8))
            except codes.CodeError:
                raise DomainError("bad_request", _("Numéro de carnet invalide : %(serial)s.", serial=serial)) from None
    after = 0
    while True:
        query = (sa.select(Booklet.id, Booklet.number, Booklet.serial)
                 .where(Booklet.campaign_id == campaign.id, Booklet.number > after)
                 .order_by(Booklet.number).limit(BATCH))
        if numbers is not None:
            query = query.where(Booklet.number.in_(numbers))
        batch = db.session.execute(query).all()
        if not batch:
            return
        tickets: dict[int, list[int]] = {}
        for booklet_id, number in db.session.execute(
                sa.select(Ticket.booklet_id, Ticket.number).where(Ticket.booklet_id.in_([b.id for b in batch]))
                .order_by(Ticket.number)):
            tickets.setdefault(booklet_id, []).append(number)
        for booklet in batch:
            yield booklet.serial, tickets.get(booklet.id, [])
        after = batch[-1].number


def check_serials(campaign: Campaign, serials: list[str]) -> None:
    """Refuse serials that are not booklets of this campaign, before any byte is written."""
    found = {s for s, _t in _booklets(campaign, serials)}
    missing = [s for s in serials if s.replace(" ", "") not in found]
    if missing:
        raise DomainError("not_found", _("Carnet(s) introuvable(s) dans cette campagne : %(serials)s.",
                                         serials=", ".join(missing)))


def write_pdf(out: BinaryIO, campaign: Campaign, serials: list[str] | None = None) -> int:
    """Write the booklets' PDF to `out`; return the number of pages (booklets)."""
    writer = PdfWriter(out, title=_("Carnets - %(name)s", name=campaign.name))
    for _chunk in _pages(writer, campaign, serials):
        pass
    writer.close()
    return writer.page_count


def _pages(writer: PdfWriter, campaign: Campaign, serials) -> Iterable[None]:
    signer, layout = Signer(), Layout(campaign)
    for serial, numbers in _booklets(campaign, serials):
        tickets = [signer.ticket(n, i) for i, n in enumerate(numbers, 1)]
        writer.add_page(booklet_page(layout, serial, tickets))
        yield None


def stream_pdf(campaign: Campaign, serials: list[str] | None = None) -> Iterator[bytes]:
    """Yield the PDF in chunks, one booklet at a time (for a streamed HTTP response)."""
    buffer = ChunkBuffer()
    writer = PdfWriter(buffer, title=_("Carnets - %(name)s", name=campaign.name))
    yield buffer.take()
    for _page in _pages(writer, campaign, serials):
        yield buffer.take()
    writer.close()
    yield buffer.take()
