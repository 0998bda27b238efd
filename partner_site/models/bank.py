"""Partners' bank details: every change is a new row, validated by staff before any payment."""
import sqlalchemy as sa

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column


class BankAccountStatus(Lifecycle):
    PENDING = "pending"  # entered by the association: its payments wait for staff
    VALIDATED = "validated"  # checked by finance staff: payments go here
    REJECTED = "rejected"  # refused by staff (wrong or fraudulent details)
    SUPERSEDED = "superseded"  # replaced by newer details

    @classmethod
    def moves(cls):
        return {
            cls.PENDING: (cls.VALIDATED, cls.REJECTED, cls.SUPERSEDED),
            cls.VALIDATED: (cls.SUPERSEDED,),
            cls.REJECTED: (),
            cls.SUPERSEDED: (),
        }


class BankAccount(TimestampMixin, db.Model):
    """A partner's bank details (and the SIRET they pay), never edited: a change is a new row."""

    __tablename__ = "bank_accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), nullable=False, index=True)
    holder_name = sa.Column(sa.String(140), nullable=False)
    iban = sa.Column(sa.String(34), nullable=False)  # compact, upper case
    bic = sa.Column(sa.String(11), nullable=False)
    siret = sa.Column(sa.String(14), nullable=False)
    status = enum_column(BankAccountStatus, nullable=False, default=BankAccountStatus.PENDING)
    submitted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    reviewed_at = sa.Column(sa.DateTime)
    reviewed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    review_reason = sa.Column(sa.String(300))

    partner = db.relationship("Partner")
    submitted_by = db.relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = db.relationship("User", foreign_keys=[reviewed_by_id])

    __table_args__ = (
        # One account in force and at most one change waiting, per partner.
        sa.Index("uq_bank_accounts_validated", "partner_id", unique=True,
                 sqlite_where=sa.text("status = 'validated'"), postgresql_where=sa.text("status = 'validated'")),
        sa.Index("uq_bank_accounts_pending", "partner_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    @property
    def masked_iban(self) -> str:
        """Show only the country, check digits and last four characters: FR76 •••• 0185."""
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"
