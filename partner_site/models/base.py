"""Shared column helpers and status lifecycles (statuses change through `audit.change_status`)."""
import enum
from datetime import datetime, timezone

import sqlalchemy as sa


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (how every timestamp is stored)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def enum_column(enum_cls, **kwargs):
    """Return a column storing an enum's values as short strings, checked by the database."""
    return sa.Column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            name=enum_cls.__name__.lower(),
        ),
        **kwargs,
    )


class IllegalTransition(Exception):
    """Raised when a status change is not allowed by its lifecycle."""

    def __init__(self, obj, current, target):
        super().__init__(f"{type(obj).__name__} {getattr(obj, 'id', '?')}: {current} -> {target} is not allowed")
        self.current = current
        self.target = target


class Lifecycle(str, enum.Enum):
    """A status enum whose allowed moves are declared by each subclass in `_moves`."""

    @classmethod
    def moves(cls) -> dict:
        raise NotImplementedError

    def can_move_to(self, target) -> bool:
        return target in self.moves().get(self, ())


class TimestampMixin:
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
