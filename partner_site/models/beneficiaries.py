"""Beneficiaries' requests for a booklet, made at a reception point, and the booklets posted to them.

Identity and address are personal data: shown on staff pages only, never written to the audit
log, and blanked by `beneficiaries purge` once a request is closed, while the commune, the
priority publics and the booklets stay for the statistics.
"""
import enum

import sqlalchemy as sa

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column


class RequestStatus(Lifecycle):
    RECEIVED = "received"  # registered, waiting for a booklet
    ASSIGNED = "assigned"  # a booklet is assigned (its tickets are active): the letter is to be posted
    POSTED = "posted"  # the letter with the booklet and the flyer has gone
    CLOSED = "closed"  # over: used up, withdrawn or campaign ended; may be anonymised

    @classmethod
    def moves(cls):
        return {
            cls.RECEIVED: (cls.ASSIGNED, cls.CLOSED),
            cls.ASSIGNED: (cls.POSTED, cls.CLOSED),
            cls.POSTED: (cls.ASSIGNED, cls.CLOSED),  # back to assigned with a replacement booklet
            cls.CLOSED: (),
        }


class PriorityPublic(str, enum.Enum):
    YOUNG_ADULT = "young_adult"
    ISOLATED_GEOGRAPHIC = "isolated_geographic"
    ISOLATED_PRECARITY = "isolated_precarity"
    ISOLATED_ELDERLY = "isolated_elderly"
    ISOLATED_DISABLED = "isolated_disabled"
    NON_FRENCH_SPEAKER = "non_french_speaker"
    INSERTION = "insertion"


class BeneficiaryRequest(TimestampMixin, db.Model):
    """A person's request for a booklet (demande), registered at a reception point."""

    __tablename__ = "beneficiary_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    reception_point_id = sa.Column(sa.Integer, sa.ForeignKey("reception_points.id"), nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    # The postal address, line by line as French post reads it (NF Z 10-011: 6 lines of 38 characters).
    civility = sa.Column(sa.String(10), nullable=False, default="")
    first_name = sa.Column(sa.String(60), nullable=False, default="")
    last_name = sa.Column(sa.String(60), nullable=False, default="")
    address_recipient = sa.Column(sa.String(38), nullable=False, default="")  # line 2: flat, floor, c/o
    address_building = sa.Column(sa.String(38), nullable=False, default="")  # line 3: building, residence
    address_street = sa.Column(sa.String(38), nullable=False, default="")  # line 4: number and street
    address_place = sa.Column(sa.String(38), nullable=False, default="")  # line 5: lieu-dit, BP
    postcode = sa.Column(sa.String(5), nullable=False, default="")
    commune_insee = sa.Column(sa.String(5), nullable=False, index=True)  # kept after anonymisation
    phone = sa.Column(sa.String(40), nullable=False, default="")
    email = sa.Column(sa.String(200), nullable=False, default="")
    consent_at = sa.Column(sa.DateTime, nullable=False)
    consent_version = sa.Column(sa.String(20), nullable=False)
    status = enum_column(RequestStatus, nullable=False, default=RequestStatus.RECEIVED)
    status_changed_at = sa.Column(sa.DateTime)
    closed_at = sa.Column(sa.DateTime, index=True)
    close_reason = sa.Column(sa.String(300))
    anonymised_at = sa.Column(sa.DateTime)

    reception_point = db.relationship("ReceptionPoint")
    publics = db.relationship("RequestPublic", cascade="all, delete-orphan", order_by="RequestPublic.public")
    assignments = db.relationship("BookletAssignment", back_populates="request", order_by="BookletAssignment.id")

    __table_args__ = (
        sa.CheckConstraint("anonymised_at IS NULL OR status = 'closed'", name="only_closed_anonymised"),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_date"),
        sa.Index("ix_beneficiary_requests_point_status", "reception_point_id", "status"),
    )

    @property
    def public_values(self) -> set[PriorityPublic]:
        return {p.public for p in self.publics}


class RequestPublic(db.Model):
    """One priority public a request belongs to (a person may belong to several)."""

    __tablename__ = "request_publics"

    request_id = sa.Column(sa.Integer, sa.ForeignKey("beneficiary_requests.id", ondelete="CASCADE"),
                           primary_key=True)
    public = enum_column(PriorityPublic, primary_key=True)


class BookletAssignment(db.Model):
    """A booklet given to a request: the first one, or a replacement after an opposition."""

    __tablename__ = "booklet_assignments"

    id = sa.Column(sa.Integer, primary_key=True)
    request_id = sa.Column(sa.Integer, sa.ForeignKey("beneficiary_requests.id"), nullable=False, index=True)
    # A booklet goes to one person, once: the database refuses a second assignment.
    booklet_id = sa.Column(sa.Integer, sa.ForeignKey("booklets.id"), nullable=False, unique=True)
    replaces_booklet_id = sa.Column(sa.Integer, sa.ForeignKey("booklets.id"), unique=True)
    assigned_at = sa.Column(sa.DateTime, nullable=False)
    assigned_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    posted_at = sa.Column(sa.DateTime)
    posted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))

    request = db.relationship("BeneficiaryRequest", back_populates="assignments")
    booklet = db.relationship("Booklet", foreign_keys=[booklet_id])
    replaces = db.relationship("Booklet", foreign_keys=[replaces_booklet_id])

    __table_args__ = (sa.CheckConstraint("replaces_booklet_id IS NULL OR replaces_booklet_id <> booklet_id",
                                         name="replacement_differs"),)
