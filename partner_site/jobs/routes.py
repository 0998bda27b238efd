"""The job pages: a staff member's files, one job's progress (a page, and JSON for the script), the download.

Only the person who asked sees a job or its file; anyone else gets 404 (see docs/operations.md,
"Background jobs", for why not the whole role).
"""
import logging
import os

import sqlalchemy as sa
from flask import current_app, jsonify, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import staff_required
from ..extensions import db
from ..http import error_page
from ..models import Job, JobStatus
from . import bp, runner
from .kinds import KINDS

SHOWN = 30
log = logging.getLogger(__name__)
STATUS_LABELS = {JobStatus.QUEUED: _l("En attente"), JobStatus.RUNNING: _l("En cours"), JobStatus.DONE: _l("Prêt"),
                 JobStatus.FAILED: _l("Échec"), JobStatus.EXPIRED: _l("Supprimé")}


def _size(size: int | None) -> str:
    """Format a file size in French: 27,1 Mo."""
    size = size or 0
    if size < 1_000_000:
        return _("%(n)s ko", n=max(1, round(size / 1000)))
    return _("%(n)s Mo", n=f"{size / 1_000_000:.1f}".replace(".", ","))


@bp.get("/")
@staff_required
def index():
    """List the jobs this staff member asked for, newest first."""
    jobs = db.session.execute(sa.select(Job).where(Job.user_id == current_user.id).order_by(Job.id.desc())
                              .limit(SHOWN)).scalars().all()
    return render_template("jobs/index.html", jobs=jobs, labels=STATUS_LABELS,
                           retention_hours=current_app.config["JOBS_RETENTION_HOURS"])


@bp.get("/<int:job_id>")
@staff_required
def detail(job_id):
    """Show a job: progress while it runs (the page refreshes itself), then its file or what went wrong."""
    job = runner.get_own(current_user, job_id)
    return render_template("jobs/detail.html", job=job, kind=KINDS[job.kind], statuses=JobStatus,
                           labels=STATUS_LABELS, size=_size(job.size))


@bp.get("/<int:job_id>/progress")
@staff_required
def progress(job_id):
    """Return a job's progress as JSON, for the page's script."""
    job = runner.get_own(current_user, job_id)
    response = jsonify({"status": job.status.value, "done": job.done, "total": job.total, "percent": job.percent,
                        "finished": job.status.finished,
                        "text": _("%(done)s sur %(total)s %(unit)s (%(percent)s %%)", done=job.done,
                                  total=job.total, unit=KINDS[job.kind].unit, percent=job.percent)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>/file")
@staff_required
def download(job_id):
    """Send a finished job's file to the person who asked for it."""
    job = runner.get_own(current_user, job_id)
    back = url_for("jobs.detail", job_id=job.id)
    if job.status == JobStatus.EXPIRED:
        return error_page(410, _("Fichier supprimé"), _("Ce fichier a été supprimé après %(hours)s heures. "
                                                       "Relancez la préparation depuis la page d'origine.",
                                                       hours=current_app.config["JOBS_RETENTION_HOURS"]))
    if job.status != JobStatus.DONE:
        return error_page(409, _("Fichier pas encore prêt"), _("Ce fichier n'est pas prêt : suivez la préparation "
                                                              "sur la page de la tâche (%(url)s).", url=back))
    path = runner.file_path(job)
    if not os.path.exists(path):  # JOBS_DIR not shared between this instance and the worker's machine
        log.error("job %s: %s is missing on this instance", job.id, path)
        return error_page(404, _("Fichier introuvable"), _("Ce fichier est introuvable sur le serveur. Relancez la "
                                                          "préparation ; si cela se reproduit, prévenez "
                                                          "l'exploitation du site."))
    response = send_file(path, mimetype=KINDS[job.kind].mimetype, as_attachment=True,
                         download_name=job.download_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
