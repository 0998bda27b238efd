"""Money rows: loaded by id (or 404), locked and read afresh before a change, moved with their fields."""
import sqlalchemy as sa

from ..extensions import db
from ..models import change_status
from .errors import DomainError


def locked(query):
    """Lock the selected rows until the transaction ends (PostgreSQL; SQLite serialises writers) and
    load their current values, so a decision is never taken on what this session saw earlier."""
    return query.with_for_update().execution_options(populate_existing=True)


def maybe_locked(query, for_update: bool):
    return locked(query) if for_update else query


def load_one(model, object_id, not_found_message, for_update: bool = False, *where):
    """Load a row by id (and any extra conditions), or raise `not_found` with a French message."""
    row = None
    if isinstance(object_id, int) and not isinstance(object_id, bool):
        query = sa.select(model).where(model.id == object_id, *where)
        row = db.session.execute(maybe_locked(query, for_update)).scalar_one_or_none()
    if row is None:
        raise DomainError("not_found", not_found_message)
    return row


def move(obj, target, actor, reason=None, **fields):
    """Change a status and the fields that go with it in one UPDATE, with its audit event.

    CHECK constraints tie a status to its fields (a paid claim has a payment date...): they must
    reach the database together, not in two flushes.
    """
    with db.session.no_autoflush:
        change_status(obj, target, actor, reason=reason)
        for name, value in fields.items():
            setattr(obj, name, value)
    db.session.flush()
