"""The audit trail: who changed what, when, from which state to which; the one place where statuses change."""
import json

import sqlalchemy as sa

from ..extensions import db
from .base import IllegalTransition, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), index=True)
    actor_label = sa.Column(sa.String(200), nullable=False, default="system")
    action = sa.Column(sa.String(60), nullable=False, index=True)
    object_type = sa.Column(sa.String(40), nullable=False)
    object_id = sa.Column(sa.String(40), nullable=False)
    before = sa.Column(sa.Text)
    after = sa.Column(sa.Text)

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)


_INSERT = sa.insert(AuditEvent)  # built once: every scan writes one


def record(actor, action, obj=None, before=None, after=None, object_type=None, object_id=None):
    """Write an audit event in the caller's transaction: it commits, or rolls back, with the change."""
    db.session.execute(_INSERT, dict(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or (actor if isinstance(actor, str) else "system"),
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else "none"),
        object_id=str(object_id if object_id is not None else getattr(obj, "id", "") or ""),
        before=json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
        after=json.dumps(after, ensure_ascii=False, default=str) if after is not None else None,
    ))


def change_status(obj, target, actor=None, reason=None, attr="status"):
    """Move `obj` to `target` if its lifecycle allows it, and record the audit event."""
    current = getattr(obj, attr)
    if not current.can_move_to(target):
        raise IllegalTransition(obj, current.value, target.value)
    setattr(obj, attr, target)
    record(actor, f"{type(obj).__name__.lower()}.{target.value}", obj,
           before={attr: current.value}, after={attr: target.value, **({"reason": reason} if reason else {})})
