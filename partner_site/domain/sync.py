"""What a phone needs to judge tickets offline, and the upload of what it scanned offline.

The revocation list names every ticket of a still-valid campaign that a phone must refuse
(not handed out, cancelled, already redeemed...), incrementally: the phone keeps a cursor and
asks only for what changed since. Ticket numbers go out as runs of consecutive numbers (a
booklet's ten tickets are ten consecutive numbers): `[gap, length, gap, length, ...]`, each gap
counted from the end of the previous run, so a campaign of 20,000 tickets fits in a few KB.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Campaign, FailedScan, Partner, Ticket, TicketStatus, Workshop, utcnow
from .clock import local_today
from .codes import ticket_serial
from .errors import MESSAGES, DomainError



def encode_cursor(changed_at: datetime, ticket_id: int) -> str:
    return f"{changed_at.isoformat(timespec='microseconds')}~{ticket_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, _sep, ident = cursor.partition("~")
        return datetime.fromisoformat(stamp), int(ident)
    except ValueError:
        raise DomainError("bad_request", _("Curseur de synchronisation invalide : recommencez sans curseur.")) from None


def encode_runs(numbers: list[int]) -> list[int]:
    """Return numbers as runs of consecutive values: [gap, length, gap, length, ...]."""
    out, end = [], 0  # `end` is one past the last number of the previous run
    for n in sorted(set(numbers)):
        if out and n == end:
            out[-1] += 1
        else:
            out += [n - end, 1]
        end = n + 1
    return out


def decode_runs(runs: list[int]) -> list[int]:
    """Expand `encode_runs` back into numbers (what the phone does)."""
    numbers, end = [], 0
    for gap, length in zip(runs[::2], runs[1::2]):
        start = end + gap
        numbers.extend(range(start, start + length))
        end = start + length
    return numbers


@dataclass
class Revocations:
    blocked: list[int]
    unblocked: list[int]
    cursor: str | None
    complete: bool


def revocations(cursor: str | None, limit: int = 50_000) -> Revocations:
    """Return the tickets of valid campaigns that changed since `cursor`: now refused, or active again."""
    after = decode_cursor(cursor)
    valid = sa.select(Campaign.id).where(Campaign.ends_on >= local_today() - timedelta(days=366))
    query = (sa.select(Ticket.id, Ticket.number, Ticket.status, Ticket.changed_at)
             .where(Ticket.campaign_id.in_(valid), Ticket.changed_at.is_not(None))
             .order_by(Ticket.changed_at, Ticket.id).limit(limit + 1))
    if after is None:
        # First sync: only what a phone must refuse; untouched tickets are judged by signature.
        query = query.where(Ticket.status != TicketStatus.ACTIVE)
    else:
        stamp, ident = after
        query = query.where(sa.or_(Ticket.changed_at > stamp, sa.and_(Ticket.changed_at == stamp, Ticket.id > ident)))
    rows = db.session.execute(query).all()
    complete = len(rows) <= limit
    rows = rows[:limit]
    blocked = [r.number for r in rows if r.status != TicketStatus.ACTIVE]
    unblocked = [r.number for r in rows if r.status == TicketStatus.ACTIVE]
    last = rows[-1] if rows else None
    next_cursor = encode_cursor(last.changed_at, last.id) if last else cursor
    if next_cursor is None:
        next_cursor = encode_cursor(utcnow(), 0)
    return Revocations(encode_runs(blocked), encode_runs(unblocked), next_cursor, complete)


def campaign_ranges() -> list[dict]:
    """Return, for each still-valid campaign, its range of ticket numbers and the days its tickets are accepted.

    The signed code carries only a ticket number: this is what lets a phone check validity dates offline.
    """
    query = (sa.select(Campaign.id, Campaign.starts_on, Campaign.ends_on, Campaign.grace_days,
                       Campaign.minutes_per_ticket, sa.func.min(Ticket.number).label("first"), sa.func.max(Ticket.number).label("last"))
             .join(Ticket, Ticket.campaign_id == Campaign.id)
             .where(Campaign.ends_on >= local_today() - timedelta(days=366))
             .group_by(Campaign.id, Campaign.starts_on, Campaign.ends_on, Campaign.grace_days,
                       Campaign.minutes_per_ticket)
             .order_by(sa.func.min(Ticket.number)))
    return [{"campaign_id": r.id, "first_number": r.first, "last_number": r.last,
             "valid_from": r.starts_on.isoformat(),
             "valid_until": (r.ends_on + timedelta(days=r.grace_days)).isoformat(),
             "minutes_per_ticket": r.minutes_per_ticket}
            for r in db.session.execute(query)]


@dataclass
class Conflict:
    """An offline scan the server refused at upload: the trainer is told, staff review it before paying."""
    id: int
    partner_name: str
    workshop_id: int | None
    workshop_title: str | None
    serial: str | None
    reason: str
    scanned_at: datetime | None
    uploaded_at: datetime

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.reason, self.reason))


def offline_conflicts(workshop=None, limit: int = 200) -> list[Conflict]:
    """Return the offline scans refused at upload, newest first, of one workshop or of everyone.

    A workshop's list holds only its own partner's uploads: another association naming this
    workshop in its batch is refused (`forbidden`) and kept for staff, never shown to this one.
    """
    query = (sa.select(FailedScan.id, Partner.name, FailedScan.workshop_id, Workshop.title, Ticket.number,
                       FailedScan.serial, FailedScan.reason, FailedScan.scanned_at, FailedScan.created_at)
             .join(Partner, Partner.id == FailedScan.partner_id)
             .outerjoin(Workshop, Workshop.id == FailedScan.workshop_id)
             .outerjoin(Ticket, Ticket.id == FailedScan.ticket_id)
             .where(FailedScan.offline.is_(True))
             .order_by(FailedScan.created_at.desc(), FailedScan.id.desc()).limit(limit))
    if workshop is not None:
        query = query.where(FailedScan.workshop_id == workshop.id, FailedScan.partner_id == workshop.partner_id)
    return [Conflict(r.id, r.name, r.workshop_id, r.title,
                     ticket_serial(r.number) if r.number is not None else r.serial,
                     r.reason, r.scanned_at, r.created_at)
            for r in db.session.execute(query)]
