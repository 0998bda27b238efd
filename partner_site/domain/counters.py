"""Gapless numbering: the next number of a series is taken inside the caller's transaction.

The counter row is raised by an UPDATE, which holds its row lock until the transaction ends:
two submissions are numbered one after the other, and a rollback gives the number back, so
the series never has a gap or a duplicate (pass Culture numbers its statements this way).
"""
import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import Counter


def next_value(series: str) -> int:
    """Return the next number of `series` (1, 2, 3...), reserved until the transaction ends."""
    dialect = db.session.get_bind().dialect.name
    insert = (sa.dialects.postgresql.insert if dialect == "postgresql" else sa.dialects.sqlite.insert)(Counter)
    db.session.execute(insert.values(name=series, value=0).on_conflict_do_nothing(index_elements=["name"]))
    return db.session.execute(
        sa.update(Counter).where(Counter.name == series).values(value=Counter.value + 1)
        .returning(Counter.value).execution_options(synchronize_session=False)
    ).scalar_one()


def claim_reference(year: int) -> str:
    """Number a submitted claim: PN31-2021-000123."""
    territory = current_app.config["TERRITORY_CODE"]
    return f"PN{territory}-{year}-{next_value(f'claim:{year}'):06d}"


def batch_reference(year: int) -> str:
    """Number a payment batch: PN31-LOT-2021-0007."""
    territory = current_app.config["TERRITORY_CODE"]
    return f"PN{territory}-LOT-{year}-{next_value(f'batch:{year}'):04d}"
