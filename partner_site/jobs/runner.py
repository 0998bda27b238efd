"""A job's life: created by a page, run by the consumer, its file served, then purged.

Every change of a job's row after its creation is a short conditional UPDATE in its own
transaction (`_move`), so that the worker's long read of the data to print never holds a write
lock, progress shows on every instance at once, and two workers never run the same job.
"""
import logging
import os
import secrets
import threading
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import gettext as _

from ..domain.errors import DomainError
from ..extensions import db
from ..models import Job, JobStatus, record, utcnow
from .kinds import KINDS
from .queue import JobQueue

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between two progress writes
STALE_AFTER = timedelta(minutes=10)  # a running job silent this long lost its worker (killed, machine restarted)
_queue_lock = threading.Lock()


def job_queue(app=None) -> JobQueue:
    """Return the application's queue, built on first use (so that a site that never queues opens nothing)."""
    app = app or current_app._get_current_object()
    with _queue_lock:
        if "jobs_queue" not in app.extensions:
            app.extensions["jobs_queue"] = JobQueue(app, run=run, purge=purge)
    return app.extensions["jobs_queue"]


def jobs_dir() -> str:
    """Return the folder of finished files (JOBS_DIR, else instance/jobs/): outside the web root."""
    return current_app.config.get("JOBS_DIR") or os.path.join(current_app.instance_path, "jobs")


def retention() -> timedelta:
    return timedelta(hours=current_app.config["JOBS_RETENTION_HOURS"])


def create(user, kind: str, params: dict, total: int, title: str, download_name: str) -> Job:
    """Record a job asked for by `user` (flushed, not committed), with an audit event."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, user_id=user.id, params=params, total=total, title=title, download_name=download_name,
              status=JobStatus.QUEUED, done=0, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    record(user, "job.requested", job, after={"kind": kind, "total": total, **params})
    return job


def start(user, kind: str, params: dict, total: int, title: str, download_name: str) -> Job:
    """Create a job, commit it and put it on the queue; if the queue is unreachable, the job says so."""
    job = create(user, kind, params, total, title, download_name)
    db.session.commit()
    try:
        job_queue().run_job(job.id)
    except Exception:  # Redis down, queue file unwritable: the person must be told, not shown a 500
        log.exception("job %s could not be queued", job.id)
        _move(job.id, JobStatus.QUEUED, status=JobStatus.FAILED, finished_at=utcnow(),
              error=_("Le service des tâches de fond est injoignable : rien n'a été lancé. Réessayez dans quelques "
                      "minutes ; si cela se reproduit, prévenez l'exploitation du site."))
        db.session.refresh(job)
    return job


def get_own(user, job_id: int) -> Job:
    """Load a job of `user`, or answer 404: a job's file is for the person who asked only."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != user.id:
        abort(404)
    return job


def file_path(job: Job) -> str:
    return os.path.join(jobs_dir(), job.file_name)


def _move(job_id: int, expected: JobStatus, **values) -> bool:
    """Update a job in its own short transaction if it is still `expected`; return whether it was."""
    with db.engine.begin() as conn:
        done = conn.execute(sa.update(Job).where(Job.id == job_id, Job.status == expected).values(**values))
    return done.rowcount == 1


class Cancelled(Exception):
    """The job stopped being ours while it ran (failed by the purge as stale)."""


class Progress:
    """Called with the number of items done; writes it at most once a second."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.done = 0
        self._last = time.monotonic()

    def __call__(self, done: int):
        self.done = done
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY:
            self._last = now
            if not _move(self.job_id, JobStatus.RUNNING, done=done, updated_at=utcnow()):
                raise Cancelled()


def run(job_id: int) -> None:
    """Run a queued job: write its file under a temporary name, then publish it; on error, say why in French."""
    job = db.session.get(Job, job_id)
    if job is None:
        return
    kind = KINDS[job.kind]
    file_name = f"{job.id}-{secrets.token_hex(12)}.{kind.extension}"
    now = utcnow()
    if not _move(job_id, JobStatus.QUEUED, status=JobStatus.RUNNING, started_at=now, updated_at=now,
                 file_name=file_name):
        return  # already run, or failed meanwhile: a redelivered message does nothing
    folder = jobs_dir()
    path = os.path.join(folder, file_name)
    progress = Progress(job_id)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        with open(path + ".part", "wb") as out:
            kind.produce(job, out, progress)
        os.replace(path + ".part", path)
    except Exception as err:
        db.session.rollback()
        _remove(path + ".part")
        if isinstance(err, Cancelled):
            return
        log.exception("job %s (%s) failed", job_id, job.kind)
        _move(job_id, JobStatus.RUNNING, status=JobStatus.FAILED, finished_at=utcnow(), error=_failure(err, job_id))
        return
    db.session.rollback()  # end the long read: no transaction left open while the worker waits
    now = utcnow()
    if not _move(job_id, JobStatus.RUNNING, status=JobStatus.DONE, done=progress.done, size=os.path.getsize(path),
                 updated_at=now, finished_at=now, expires_at=now + retention()):
        _remove(path)


def _failure(err: Exception, job_id: int) -> str:
    """Return what the person who asked reads when their job failed."""
    if isinstance(err, DomainError):
        return err.message
    if isinstance(err, OSError):
        return _("Le fichier n'a pas pu être écrit sur le serveur (espace disque ou droits du dossier des "
                 "fichiers). Réessayez plus tard ; si cela se reproduit, prévenez l'exploitation du site en "
                 "donnant le numéro de la tâche : %(id)s.", id=job_id)
    return _("Une erreur inattendue a interrompu la préparation du fichier. Relancez-la ; si cela se "
             "reproduit, prévenez l'exploitation du site en donnant le numéro de la tâche : %(id)s.", id=job_id)


def _remove(path: str) -> None:
    """Remove a job's file if it is there; a folder gone or unreadable is logged, never raised."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not remove %s", path)


def purge(now=None) -> dict[str, int]:
    """Remove the files of jobs past their expiry, and fail the running jobs whose worker went silent."""
    now = now or utcnow()
    expired = db.session.execute(sa.select(Job.id, Job.file_name).where(
        Job.status == JobStatus.DONE, Job.expires_at <= now)).all()
    for job_id, file_name in expired:
        if _move(job_id, JobStatus.DONE, status=JobStatus.EXPIRED):
            _remove(os.path.join(jobs_dir(), file_name))
    stale = db.session.execute(sa.select(Job.id, Job.file_name).where(
        Job.status == JobStatus.RUNNING, Job.updated_at < now - STALE_AFTER)).all()
    for job_id, file_name in stale:
        if _move(job_id, JobStatus.RUNNING, status=JobStatus.FAILED, finished_at=now,
                 error=_("La préparation du fichier a été interrompue (redémarrage du serveur). Relancez-la.")):
            _remove(os.path.join(jobs_dir(), f"{file_name}.part"))
    db.session.rollback()
    return {"expired": len(expired), "interrupted": len(stale)}
