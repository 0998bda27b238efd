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
from .canvas import PageCanvas
from .pdfstream import MM, ChunkBuffer, PdfWriter

PAGE_W, PAGE_H = 210, 297
COLUMNS, ROWS = 2, 5
TICKET_W, TICKET_H = 92, 54
LEFT = (PAGE_W - COLUMNS * TICKET_W) / 2  # 13 mm
BOTTOM = (PAGE_H - ROWS * TICKET_H) / 2  # 13.5 mm
MARK_GAP, MARK_LEN = 1.5, 5  # cut marks stop short of the cut, so none shows on a ticket
QR_SIZE = 33
BLUE, GREY, WHITE = (0, 0, 0.569), (0.4, 0.4, 0.4), (1, 1, 1)
BATCH = 100
COMPRESSION = 1  # zlib's fastest level: pages of rectangles compress well anyway


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
    """What every ticket of a campaign shares, drawn once for the whole run and repeated."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        width = TICKET_W - QR_SIZE - 12
        self.text_x = 4 + QR_SIZE + 4
        self.position = _("Carnet %(serial)s · %(n)s/%(size)s", serial="{serial}", n="{n}", size=campaign.booklet_size)
        page = PageCanvas()  # in the ticket's own coordinates: its bottom-left corner is (0, 0)
        # Blue band, inset from the cut so a slightly-off cut leaves no colour on the neighbour.
        page.rect(2, TICKET_H - 11, TICKET_W - 4, 9, fill=BLUE)
        page.text(5, TICKET_H - 8.2, _("PASS NUMÉRIQUE"), "bold", 11, color=WHITE)
        page.text(TICKET_W - 5, TICKET_H - 8.4, money(campaign.face_value_cents), "bold", 13, "right", color=WHITE)
        y = page.paragraph(self.text_x, TICKET_H - 15.5, campaign.name, width, "bold", 7.5, 3.2)
        y = page.paragraph(self.text_x, y - 0.3, _("Valable du %(start)s au %(end)s",
                                                   start=campaign.starts_on.strftime("%d/%m/%Y"),
                                                   end=campaign.valid_until.strftime("%d/%m/%Y")),
                           width, "regular", 6.5, 2.9)
        page.text(self.text_x, y - 2.5, _("Ticket n°"), "regular", 6.5, color=GREY)
        page.text(self.text_x, y - 11.5, _("Code de contrôle"), "regular", 6.5, color=GREY)
        page.paragraph(self.text_x, 5, _("Gratuit pour le bénéficiaire. À remettre à une structure habilitée."),
                       width, "regular", 5.5, 2.3, color=GREY)
        self.serial_y, self.check_y = y - 6.8, y - 15.8
        self.static, self.static_chars = page.content(), page.chars


def _ticket(page: PageCanvas, x: float, y: float, layout: Layout, booklet_serial: str, t: PrintedTicket):
    """Draw one ticket whose bottom-left corner is at (x, y) mm: the shared part, then its own."""
    page.raw(b"q 1 0 0 1 %.3f %.3f cm\n" % (x * MM, y * MM))
    page.raw(layout.static, layout.static_chars)
    page.qr(4, 5.5, QR_SIZE, qr.matrix(t.code))
    page.text(layout.text_x, layout.serial_y, codes.format_serial(codes.ticket_serial(t.number)), "mono", 10)
    page.text(layout.text_x, layout.check_y, codes.format_check_code(t.check_code), "mono", 11)
    page.text(layout.text_x, 8.3, layout.position.format(serial=booklet_serial, n=t.position), "regular", 6.5,
              color=GREY)
    page.raw(b"Q\n")


def booklet_page(layout: Layout, booklet_serial: str, tickets: list[PrintedTicket]) -> PageCanvas:
    """Draw one booklet's sheet."""
    page = PageCanvas()
    _cut_marks(page)
    # Formatted per page, not through str.format: a campaign name is user text and may hold braces.
    header = _("Carnet n° %(serial)s · %(campaign)s · %(n)s tickets", serial=booklet_serial,
               campaign=layout.campaign.name, n=layout.campaign.booklet_size)
    page.text(LEFT + 4, PAGE_H - BOTTOM + 3.5, header, "regular", 7, color=GREY)
    for i, ticket in enumerate(tickets):
        col, row = i % COLUMNS, i // COLUMNS
        _ticket(page, LEFT + col * TICKET_W, BOTTOM + (ROWS - 1 - row) * TICKET_H, layout, booklet_serial, ticket)
    return page


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
    writer = PdfWriter(out, title=_("Carnets - %(name)s", name=campaign.name), compress_level=COMPRESSION)
    for _page in iter_pages(writer, campaign, serials):
        pass
    writer.close()
    return writer.page_count


def iter_pages(writer: PdfWriter, campaign: Campaign, serials=None) -> Iterable[None]:
    """Draw and write the booklets' pages one by one, yielding after each (for streaming and benches)."""
    signer, layout = Signer(), Layout(campaign)
    for serial, numbers in _booklets(campaign, serials):
        tickets = [signer.ticket(n, i) for i, n in enumerate(numbers, 1)]
        writer.add_page(booklet_page(layout, serial, tickets))
        yield None


def stream_pdf(campaign: Campaign, serials: list[str] | None = None) -> Iterator[bytes]:
    """Yield the PDF in chunks, one booklet at a time (for a streamed HTTP response)."""
    buffer = ChunkBuffer()
    writer = PdfWriter(buffer, title=_("Carnets - %(name)s", name=campaign.name), compress_level=COMPRESSION)
    yield buffer.take()
    for _page in iter_pages(writer, campaign, serials):
        yield buffer.take()
    writer.close()
    yield buffer.take()
