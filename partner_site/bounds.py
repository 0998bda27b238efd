"""Bounds on what a person types into a form or a list's filter: dates and ids the site can use.

Python's dates end at 9999-12-31 and the database's integers at 2**31 - 1: a date or an id beyond
what the site uses is refused as invalid, instead of overflowing deep in a query (a 500).
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_ID = 2**31 - 1


def valid_id(value) -> bool:
    """Say whether `value` can be a database id (a positive integer that fits)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def id_arg(args, name: str) -> int | None:
    """Return a query-string id, or None when it is absent or cannot be one."""
    value = args.get(name, type=int)
    return value if valid_id(value) else None


def day_arg(args, name: str) -> date | None:
    """Return a query-string day (YYYY-MM-DD) within the site's years, or None."""
    try:
        day = date.fromisoformat(args.get(name) or "")
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


class SaneDate:
    """A WTForms validator: the date lies within the years the site can use."""

    def __call__(self, form, field):
        if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
            raise ValidationError(_l("Date hors limites : choisissez une date entre %(first)s et %(last)s.",
                                     first=FIRST_DAY.strftime("%d/%m/%Y"), last=LAST_DAY.strftime("%d/%m/%Y")))
