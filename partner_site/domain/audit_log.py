"""Search the audit trail by actor, object, action and date (Paris days), newest first."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditEvent
from .clock import to_utc_naive

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    actor: str = ""  # part of the actor's e-mail, or "system", "cli"...
    object_type: str = ""
    object_id: str = ""
    action: str = ""  # a prefix: "partner." or "booklets.generated"
    date_from: date | None = None
    date_to: date | None = None


def query(f: AuditFilter):
    """Return the select for the events matching a filter, newest first."""
    q = sa.select(AuditEvent)
    if f.actor:
        q = q.where(AuditEvent.actor_label.ilike(f"%{_escape(f.actor)}%", escape="\\"))
    if f.object_type:
        q = q.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        q = q.where(AuditEvent.object_id == f.object_id)
    if f.action:
        q = q.where(AuditEvent.action.like(f"{_escape(f.action)}%", escape="\\"))
    if f.date_from:
        q = q.where(AuditEvent.created_at >= to_utc_naive(datetime.combine(f.date_from, time())))
    if f.date_to:
        q = q.where(AuditEvent.created_at < to_utc_naive(datetime.combine(f.date_to + timedelta(days=1), time())))
    return q.order_by(AuditEvent.id.desc())


def page(f: AuditFilter, before_id: int | None = None, size: int = PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """Return one page of events (keyset on the id, so deep pages stay fast) and the next page's cursor."""
    q = query(f)
    if before_id:
        q = q.where(AuditEvent.id < before_id)
    events = list(db.session.execute(q.limit(size + 1)).scalars())
    return events[:size], (events[size - 1].id if len(events) > size else None)


def object_types() -> list[str]:
    return list(db.session.execute(sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
                .scalars())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
