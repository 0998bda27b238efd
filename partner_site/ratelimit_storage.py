"""The default rate-limit store: counters in the application's own database, shared by every worker.

A limit must hold for the whole site: a per-process store (`memory://`) gives each gunicorn worker
and each instance its own count, so two workers let twice as many guesses through. Redis
(`REDIS_URL`) is shared but is one more thing to install; this store needs nothing more than the
database the site already uses, the SQLite file of `make run` included.

`database://` supports the sliding-window-counter strategy (the one configured, see config.py)
and the fixed-window one. A hit reads the previous window's count (closed, so it no longer
changes) and adds to the current window's with one conditional upsert, `INSERT ... ON CONFLICT DO
UPDATE ... WHERE ... RETURNING`, which only counts the hit if it fits: two workers can never both
take the last place, and a refused hit costs nothing. Every write is on its own connection in its
own short transaction, never inside the request's session (a refused scan that rolls back keeps
its hit). Each process deletes the counters whose windows are over at most every
`PURGE_EVERY_SECONDS`, so the table holds about two days of keys at most.
"""
import hashlib
import time

import sqlalchemy as sa
from limits.storage import SlidingWindowCounterSupport, Storage
from limits.storage.base import TimestampedSlidingWindow
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models.rate_limits import RateLimitCounter

PURGE_EVERY_SECONDS = 600
TABLE = RateLimitCounter.__table__
KEY_LENGTH = TABLE.c.key.type.length
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _now() -> float:
    return time.time()


def _stored(key: str) -> str:
    """Return the key as stored: itself, or its hash when longer than the column."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _insert(dialect: str, key: str, amount: int, expires_at: float):
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise RuntimeError(f"database:// rate limits need SQLite or PostgreSQL, not {dialect}")
    return insert(TABLE).values(key=key, hits=amount, expires_at=expires_at)


def _hit(dialect: str, key: str, amount: int, now: float, expires_at: float):
    """Return the statement adding `amount` to a counter (a new window if its own is over) and returning it."""
    statement = _insert(dialect, key, amount, expires_at)
    over = TABLE.c.expires_at <= now
    return statement.on_conflict_do_update(index_elements=[TABLE.c.key], set_={
        "hits": sa.case((over, statement.excluded.hits), else_=TABLE.c.hits + statement.excluded.hits),
        "expires_at": sa.case((over, statement.excluded.expires_at), else_=TABLE.c.expires_at),
    }).returning(TABLE.c.hits)


def _hit_if_it_fits(dialect: str, key: str, amount: int, room: float, expires_at: float):
    """Return the statement adding `amount` to a window's counter only if the total stays within `room`."""
    statement = _insert(dialect, key, amount, expires_at)
    return statement.on_conflict_do_update(
        index_elements=[TABLE.c.key], set_={"hits": TABLE.c.hits + statement.excluded.hits},
        where=TABLE.c.hits + statement.excluded.hits <= room).returning(TABLE.c.hits)


def _window_end(expiry: int, now: float) -> float:
    """Return when the current window (of those aligned on multiples of `expiry`) ends."""
    return (int(now / expiry) + 1) * expiry


def _previous_weight(previous: int, expiry: int, now: float) -> float:
    """Return the share of the previous window still inside the sliding window (0 if it counted nothing)."""
    return (_window_end(expiry, now) - now) / expiry if previous else 0.0


class DatabaseStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """A `limits` storage on the Flask app's database (`db.engine`, resolved at each call)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_purge = 0.0

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits in the key's window (a new one of `expiry` seconds if over); return the count."""
        now = _now()
        with db.engine.begin() as conn:
            hits = conn.execute(_hit(conn.dialect.name, _stored(key), amount, now, now + expiry)).scalar_one()
        self._purge_now_and_then(now)
        return hits

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count `amount` hits if the previous window's weighted count plus the current one's leaves room.

        Unlike the library's own stores, the weighted count is not rounded down: right after a
        window's edge a full previous window leaves no room, rather than one more hit.
        """
        now = _now()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        with db.engine.begin() as conn:
            previous = self._hits(conn, previous_key, now)
            room = limit - previous * _previous_weight(previous, expiry, now)
            fitted = amount <= room and conn.execute(_hit_if_it_fits(
                conn.dialect.name, _stored(current_key), amount, room, _window_end(expiry, now) + expiry)).first()
        self._purge_now_and_then(now)
        return bool(fitted)

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        """Return the previous window's count and time left, the current window's count and time left."""
        now = _now()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        stored = _stored(previous_key), _stored(current_key)
        with db.engine.connect() as conn:  # both windows in one round trip
            counts = dict(conn.execute(sa.select(TABLE.c.key, TABLE.c.hits).where(
                TABLE.c.key.in_(stored), TABLE.c.expires_at > now)).all())
        previous, current = counts.get(stored[0], 0), counts.get(stored[1], 0)
        return (previous, _previous_weight(previous, expiry, now) * expiry, current,
                _window_end(expiry, now) + expiry - now)

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        """Forget both windows of a key."""
        for window_key in self.sliding_window_keys(key, expiry, _now()):
            self.clear(window_key)

    @staticmethod
    def _hits(conn, key: str, now: float) -> int:
        return conn.execute(sa.select(TABLE.c.hits).where(
            TABLE.c.key == _stored(key), TABLE.c.expires_at > now)).scalar_one_or_none() or 0

    def _purge_now_and_then(self, now: float) -> None:
        if now >= self._next_purge:
            self._next_purge = now + PURGE_EVERY_SECONDS
            self.purge_expired(now)

    def get(self, key: str) -> int:
        """Return the hits counted in the key's current window (0 once it is over)."""
        with db.engine.connect() as conn:
            return self._hits(conn, key, _now())

    def get_expiry(self, key: str) -> float:
        """Return when the key's window ends (now if it has none)."""
        now = _now()
        with db.engine.connect() as conn:
            expires_at = conn.execute(sa.select(TABLE.c.expires_at).where(
                TABLE.c.key == _stored(key), TABLE.c.expires_at > now)).scalar_one_or_none()
        return expires_at or now

    def check(self) -> bool:
        """Say whether the database answers."""
        try:
            with db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; return how many there were."""
        with db.engine.begin() as conn:
            return conn.execute(sa.delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        with db.engine.begin() as conn:
            conn.execute(sa.delete(TABLE).where(TABLE.c.key == _stored(key)))

    def purge_expired(self, now: float | None = None) -> int:
        """Delete the counters whose window is over; return how many."""
        with db.engine.begin() as conn:
            return conn.execute(sa.delete(TABLE).where(TABLE.c.expires_at <= (now or _now()))).rowcount
