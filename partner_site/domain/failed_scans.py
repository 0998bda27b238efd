"""The refused scans, read: a filtered list of the fraud and support trail for staff, newest first.

The time shown is the scan's: the phone's clock for an offline scan, the server's otherwise. No
beneficiary's data is read here (serials are staff's working numbers).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import Booklet, FailedScan, Partner, Ticket, Workshop
from .clock import to_utc_naive
from .redemption import MAX_CLOCK_SKEW, MAX_OFFLINE_AGE

PAGE_SIZE = 50


@dataclass
class ScanFilter:
    partner_id: int | None = None
    reason: str = ""
    date_from: date | None = None
    date_to: date | None = None
    offline_only: bool = False


@dataclass
class RefusedScan:
    id: int
    when: datetime
    partner_id: int | None
    partner_name: str | None
    workshop_id: int | None
    workshop_title: str | None
    booklet_id: int | None
    booklet_serial: str | None
    typed_serial: str | None
    reason: str
    offline: bool


def _when():
    return sa.func.coalesce(FailedScan.scanned_at, FailedScan.created_at)


def query(f: ScanFilter):
    """Return the select for the refused scans matching a filter, newest recorded first."""
    when = _when()
    q = (sa.select(FailedScan.id, when.label("when"), FailedScan.partner_id, Partner.name.label("partner_name"),
                   FailedScan.workshop_id, Workshop.title.label("workshop_title"), Booklet.id.label("booklet_id"),
                   Booklet.serial.label("booklet_serial"), FailedScan.serial.label("typed_serial"),
                   FailedScan.reason, FailedScan.offline)
         .outerjoin(Partner, Partner.id == FailedScan.partner_id)
         .outerjoin(Workshop, Workshop.id == FailedScan.workshop_id)
         .outerjoin(Ticket, Ticket.id == FailedScan.ticket_id)
         .outerjoin(Booklet, Booklet.id == Ticket.booklet_id))
    if f.partner_id:
        q = q.where(FailedScan.partner_id == f.partner_id)
    if f.reason:
        q = q.where(FailedScan.reason == f.reason)
    if f.offline_only:
        q = q.where(FailedScan.offline.is_(True))
    # Days are filtered on the time shown; the bounds on created_at (an offline scan reaches the
    # server at most MAX_OFFLINE_AGE after it was made) let the database use its index.
    if f.date_from:
        start = to_utc_naive(datetime.combine(f.date_from, time()))
        q = q.where(when >= start, FailedScan.created_at >= start - MAX_CLOCK_SKEW)
    if f.date_to:
        end = to_utc_naive(datetime.combine(f.date_to + timedelta(days=1), time()))
        q = q.where(when < end, FailedScan.created_at < end + MAX_OFFLINE_AGE)
    return q.order_by(FailedScan.id.desc())


def page(f: ScanFilter, before_id: int | None = None, size: int = PAGE_SIZE) -> tuple[list[RefusedScan], int | None]:
    """Return one page of refused scans (keyset on the id, so deep pages stay fast) and the next page's cursor."""
    q = query(f)
    if before_id:
        q = q.where(FailedScan.id < before_id)
    rows = [RefusedScan(**row._asdict()) for row in db.session.execute(q.limit(size + 1))]
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)


def rows(f: ScanFilter, limit: int):
    """Yield the refused scans matching a filter, for an export."""
    for row in db.session.execute(query(f).limit(limit).execution_options(yield_per=1000)):
        yield RefusedScan(**row._asdict())


def partners() -> list[tuple[int, str]]:
    """Return the partners a list can be filtered by, by name."""
    return [tuple(row) for row in db.session.execute(sa.select(Partner.id, Partner.name).order_by(Partner.name))]
