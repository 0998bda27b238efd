"""Background jobs: long work (a whole campaign's print, a mailing) done outside the request.

The queue (Huey) only carries a job's id; everything a page shows (who asked, what, progress,
status, file, expiry, error) lives here, so any instance of the site can show it.
"""
import enum

import sqlalchemy as sa

from ..extensions import db
from .base import TimestampMixin, enum_column


class JobStatus(str, enum.Enum):
    """queued -> running -> done -> expired (file removed); queued or running -> failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED)


class Job(TimestampMixin, db.Model):
    """One piece of long work asked for by a staff member, and the file it made."""

    __tablename__ = "jobs"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(30), nullable=False)  # booklets_pdf, mailing_pdf
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    title = sa.Column(sa.String(300), nullable=False)  # what was asked, in French, for the pages
    params = sa.Column(sa.JSON, nullable=False, default=dict)
    status = enum_column(JobStatus, nullable=False, default=JobStatus.QUEUED)
    done = sa.Column(sa.Integer, nullable=False, default=0)
    total = sa.Column(sa.Integer, nullable=False, default=0)
    file_name = sa.Column(sa.String(100))  # inside JOBS_DIR; never shown, never taken from a request
    download_name = sa.Column(sa.String(150))
    size = sa.Column(sa.BigInteger)
    error = sa.Column(sa.String(500))  # a French message for the person who asked
    started_at = sa.Column(sa.DateTime)
    updated_at = sa.Column(sa.DateTime)  # the worker's last sign of life
    finished_at = sa.Column(sa.DateTime)
    expires_at = sa.Column(sa.DateTime)

    user = db.relationship("User")

    __table_args__ = (
        sa.CheckConstraint("done >= 0 AND total >= 0", name="progress_positive"),
        sa.Index("ix_jobs_user", "user_id", "id"),
        sa.Index("ix_jobs_status_expires", "status", "expires_at"),
    )

    @property
    def percent(self) -> int:
        return 100 if self.status == JobStatus.DONE else min(99, 100 * self.done // self.total) if self.total else 0
