"""Local time for a French département: stored times are naive UTC, shown in Europe/Paris."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """Return a naive-UTC datetime in local time."""
    return value.replace(tzinfo=timezone.utc).astimezone(local_zone())


def to_utc_naive(value: datetime) -> datetime:
    """Return an aware or local-naive datetime as naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def french_datetime(value: datetime) -> str:
    """Format a naive-UTC datetime the French way: 12/03/2021 à 14 h 05 (no-break spaces: never split)."""
    local = to_local(value)
    return f"{local:%d/%m/%Y}\u00a0à\u00a0{local.hour}\u00a0h\u00a0{local.minute:02d}"


def local_today():
    """Return today's date in the département (not the server's UTC date)."""
    return datetime.now(local_zone()).date()
