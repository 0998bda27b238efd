"""The print shop's CSV rows: one per ticket, with its serial, check code and signed code."""
from datetime import date
from typing import Iterator

import sqlalchemy as sa

from ..domain import codes
from ..domain.booklets import ticket_status
from ..extensions import db
from ..models import Booklet, Campaign, Ticket
from .sheets import Signer

HEADER = ["serial", "check_code", "code", "booklet", "status"]


def rows(campaign: Campaign, today: date) -> Iterator[list[str]]:
    """Yield serial, check_code, code, booklet, status for every ticket of a campaign, in order."""
    signer = Signer()
    found = db.session.execute(
        sa.select(Ticket.number, Ticket.status, Booklet.serial).join(Booklet, Ticket.booklet_id == Booklet.id)
        .where(Ticket.campaign_id == campaign.id).order_by(Ticket.number)).yield_per(2000)
    for number, status, booklet_serial in found:
        printed = signer.ticket(number, 0)
        yield [codes.ticket_serial(number), printed.check_code, printed.code, booklet_serial,
               ticket_status(status, campaign, today).value]
