"""Gapless counters for the numbers an auditor reads in sequence (claim and batch references)."""
import sqlalchemy as sa

from ..extensions import db


class Counter(db.Model):
    """The last number given for one series, e.g. `claim:2021`; raised inside the caller's transaction."""

    __tablename__ = "counters"

    name = sa.Column(sa.String(40), primary_key=True)
    value = sa.Column(sa.BigInteger, nullable=False, default=0)

    __table_args__ = (sa.CheckConstraint("value >= 0", name="value_not_negative"),)
