"""The `jobs` commands: run the consumer, purge old files now."""
import json

import click
from flask import current_app

from .runner import job_queue
from .runner import purge


@click.group("jobs")
def jobs_cli():
    """Background jobs (long prints, mailings)."""


@jobs_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Jobs run at once (threads); each print keeps about one core busy.")
def worker(workers):
    """Run the consumer until stopped (SIGINT finishes the jobs in hand, SIGTERM stops at once)."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every glyph of every subset at INFO
    queue = job_queue(current_app._get_current_object())
    # A SQLite queue is polled: at most a second's wait before a job starts. Redis wakes the worker at once.
    queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0,
                               check_worker_health=True).run()


@jobs_cli.command("purge")
def purge_command():
    """Remove the files of expired jobs and fail jobs whose worker went silent (the worker also does it itself)."""
    click.echo(json.dumps(purge()))
