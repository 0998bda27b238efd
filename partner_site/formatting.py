"""Formatting at the edge: money in cents and UTC times become French text only here."""
from datetime import datetime

from flask import Flask

from .domain.clock import french_datetime, to_local
from .domain.codes import format_serial


def money(cents: int | None) -> str:
    """Format integer cents the French way: 1 234,00 € (narrow no-break spaces)."""
    cents = cents or 0
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"


def local_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["serial"] = lambda v: format_serial(v) if v else ""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["french_datetime"] = lambda v: french_datetime(v) if v else ""
    app.jinja_env.filters["local_date"] = lambda v: to_local(v).strftime("%d/%m/%Y") if v else ""
