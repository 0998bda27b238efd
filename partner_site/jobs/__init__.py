"""Background jobs: work too long for a request (a whole campaign's print, a large mailing).

A page creates a `Job` row (who asked, what) and puts its id on the queue (`queue.py`: Huey, on
SQLite by default, on Redis in production); the consumer (`flask --app wsgi jobs worker`) runs
it (`runner.py`, producers in `kinds.py`), writing progress to the row and the file outside the
web root; the job's pages (`routes.py`) show progress and serve the file to whoever asked, until
the periodic purge removes it.
"""
from flask import Blueprint, Flask

bp = Blueprint("jobs", __name__, url_prefix="/bo/jobs")

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register the job pages and the `jobs` commands."""
    from .cli import jobs_cli

    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
