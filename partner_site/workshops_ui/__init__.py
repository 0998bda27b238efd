"""The partner's workshop pages: the trainer's home, a new workshop, the scan page, the attendance sheet."""
from flask import Blueprint
from flask_babel import format_datetime

from ..domain.codes import format_serial, ticket_serial
from ..domain.clock import to_local
from ..domain.communes import commune

bp = Blueprint("workshops", __name__, url_prefix="/workshops")


@bp.app_template_filter("ticket_serial")
def ticket_serial_filter(number: int) -> str:
    """Show a ticket's number as its printed serial, grouped for reading aloud."""
    return format_serial(ticket_serial(number))


@bp.app_template_filter("commune_name")
def commune_name_filter(insee_code: str | None) -> str:
    place = commune(insee_code) if insee_code else None
    return place.name if place else ""


@bp.app_template_filter("long_day")
def long_day_filter(value) -> str:
    """Show a naive-UTC datetime's local day in words: jeudi 12 mars 2021."""
    return format_datetime(value, "EEEE d MMMM y") if value else ""


@bp.app_template_filter("iso_local_day")
def iso_local_day_filter(value) -> str:
    """Give a naive-UTC datetime's local day as YYYY-MM-DD (what the phone compares its own clock to)."""
    return to_local(value).date().isoformat()


from . import routes  # noqa: E402,F401
