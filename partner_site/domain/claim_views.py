"""Read models for the claims pages: set-based queries sized for a national database.

Every list is one query (no query per row) and every page is bounded; counts that lists need
(lines, flagged, rejected) are kept on the claim once it is submitted, so the staff queue never
counts lines.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Booklet,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineKind,
    LineStatus,
    Partner,
    Redemption,
    Ticket,
    User,
    Workshop,
)
from .codes import ticket_serial

PER_PAGE = 50


@dataclass
class LineView:
    """One claim line as the pages, statements and API show it."""

    id: int
    claim_id: int
    kind: LineKind
    amount_cents: int
    status: LineStatus
    reject_reason: str | None
    label: str | None
    flags: str | None
    ticket_number: int | None
    booklet_serial: str | None
    workshop_id: int | None
    workshop_title: str | None
    trainer: str | None
    scanned_at: datetime | None
    offline: bool

    @property
    def serial(self) -> str:
        return ticket_serial(self.ticket_number) if self.ticket_number else ""


def _lines_query():
    return (sa.select(ClaimLine.id, ClaimLine.claim_id, ClaimLine.kind, ClaimLine.amount_cents, ClaimLine.status,
                      ClaimLine.reject_reason, ClaimLine.label, ClaimLine.flags, Ticket.number, Booklet.serial,
                      Workshop.id, Workshop.title, sa.func.coalesce(sa.func.nullif(User.full_name, ""), User.email),
                      Redemption.scanned_at, sa.func.coalesce(Redemption.offline, False))
            .outerjoin(Redemption, Redemption.id == ClaimLine.redemption_id)
            .outerjoin(Ticket, Ticket.id == ClaimLine.ticket_id)
            .outerjoin(Booklet, Booklet.id == Redemption.booklet_id)
            .outerjoin(Workshop, Workshop.id == Redemption.workshop_id)
            .outerjoin(User, User.id == Redemption.user_id))


def lines(claim_id: int, page: int = 1, per_page: int = PER_PAGE, flagged_only: bool = False) -> list[LineView]:
    """Return one page of a claim's lines, newest validations first, adjustments last."""
    query = _lines_query().where(ClaimLine.claim_id == claim_id)
    if flagged_only:
        query = query.where(ClaimLine.flags.is_not(None))
    query = query.order_by(Redemption.scanned_at.desc().nulls_last(), ClaimLine.id.desc())
    if per_page:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return [LineView(*row) for row in db.session.execute(query)]


def all_lines(claim_id: int) -> list[LineView]:
    """Return every line of a claim in the statement's order (date of validation, then id)."""
    query = _lines_query().where(ClaimLine.claim_id == claim_id).order_by(
        Redemption.scanned_at.asc().nulls_last(), ClaimLine.id)
    return [LineView(*row) for row in db.session.execute(query)]


def rejected_lines(claim_ids) -> list[LineView]:
    query = _lines_query().where(ClaimLine.claim_id.in_(claim_ids), ClaimLine.status == LineStatus.REJECTED)
    return [LineView(*row) for row in db.session.execute(query.order_by(ClaimLine.claim_id, ClaimLine.id))]


def count_lines(claim_id: int, flagged_only: bool = False) -> int:
    query = sa.select(sa.func.count()).where(ClaimLine.claim_id == claim_id)
    if flagged_only:
        query = query.where(ClaimLine.flags.is_not(None))
    return db.session.execute(query).scalar_one()


def by_workshop(claim_id: int):
    """Sum a claim's accepted tickets per workshop: (title, start, tickets, cents)."""
    return db.session.execute(
        sa.select(Workshop.id, Workshop.title, Workshop.starts_at, sa.func.count(), sa.func.sum(ClaimLine.amount_cents))
        .join(Redemption, Redemption.id == ClaimLine.redemption_id)
        .join(Workshop, Workshop.id == Redemption.workshop_id)
        .where(ClaimLine.claim_id == claim_id, ClaimLine.status == LineStatus.ACCEPTED)
        .group_by(Workshop.id, Workshop.title, Workshop.starts_at).order_by(Workshop.starts_at)).all()


def by_trainer(claim_id: int):
    """Sum a claim's accepted tickets per trainer: (name, tickets, cents)."""
    name = sa.func.coalesce(sa.func.nullif(User.full_name, ""), User.email)
    return db.session.execute(
        sa.select(User.id, name, sa.func.count(), sa.func.sum(ClaimLine.amount_cents))
        .join(Redemption, Redemption.id == ClaimLine.redemption_id).join(User, User.id == Redemption.user_id)
        .where(ClaimLine.claim_id == claim_id, ClaimLine.status == LineStatus.ACCEPTED)
        .group_by(User.id, name).order_by(name)).all()


def by_face_value(claim_id: int):
    """Count a claim's accepted tickets per face value: (face value, tickets, cents); then adjustments."""
    return db.session.execute(
        sa.select(ClaimLine.kind, ClaimLine.amount_cents, sa.func.count(), sa.func.sum(ClaimLine.amount_cents))
        .where(ClaimLine.claim_id == claim_id, ClaimLine.status == LineStatus.ACCEPTED)
        .group_by(ClaimLine.kind, ClaimLine.amount_cents).order_by(ClaimLine.kind.desc(), ClaimLine.amount_cents)
    ).all()


def by_status(claim_id: int) -> dict[tuple[str, str], tuple[int, int]]:
    """Count and sum a claim's lines per kind and status: {("redemption", "rejected"): (tickets, cents)}."""
    rows = db.session.execute(
        sa.select(ClaimLine.kind, ClaimLine.status, sa.func.count(), sa.func.sum(ClaimLine.amount_cents))
        .where(ClaimLine.claim_id == claim_id).group_by(ClaimLine.kind, ClaimLine.status))
    return {(kind.value, status.value): (count, cents or 0) for kind, status, count, cents in rows}


def partner_claims(partner_id: int, limit: int = 36) -> list[Claim]:
    """Return a partner's claims, newest month first (the unique index on partner and period serves it)."""
    return list(db.session.execute(sa.select(Claim).where(Claim.partner_id == partner_id)
                                   .order_by(Claim.period.desc()).limit(limit)).scalars())


@dataclass
class QueuePage:
    claims: list
    total: int
    page: int
    pages: int


QUEUE_ORDER = {
    ClaimStatus.SUBMITTED: (Claim.submitted_at.asc(), Claim.id.asc()),  # the oldest waits least
    ClaimStatus.APPROVED: (Claim.approved_at.asc(), Claim.id.asc()),
}


def queue(status: ClaimStatus, page: int = 1, flagged_only: bool = False, search: str = "",
          per_page: int = PER_PAGE) -> QueuePage:
    """Return one page of the claims in `status` for staff, with their partner, and the total."""
    query = sa.select(Claim).join(Partner, Partner.id == Claim.partner_id).where(Claim.status == status)
    if flagged_only:
        query = query.where(Claim.flagged_count > 0)
    search = (search or "").strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Partner.name).like(like), Claim.reference == search.upper(),
                                   Partner.siret == search.replace(" ", "")))
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    order = QUEUE_ORDER.get(status, (Claim.submitted_at.desc().nulls_last(), Claim.id.desc()))
    rows = db.session.execute(query.options(sa.orm.contains_eager(Claim.partner)).order_by(*order)
                              .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return QueuePage(rows, total, page, pages)
