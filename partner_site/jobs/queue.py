"""The job queue: Huey on a SQLite file by default (nothing to install), on Redis when configured.

Only a job's id travels through the queue; the job itself is a row of the application's
database. `JOBS_QUEUE_URL` (or else `REDIS_URL`) chooses the storage: `redis://...` for Redis,
`sqlite:///path` or nothing for a SQLite file in the instance folder. The same Huey instance,
built once per application, enqueues (in the web processes) and consumes (in the worker).
"""
import os
from typing import Callable

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

PURGE_EVERY_MINUTES = 15


class JobQueue:
    """An application's Huey instance and the two tasks it knows: run a job, purge old ones."""

    def __init__(self, app: Flask, run: Callable[[int], None], purge: Callable[[], None]):
        url = app.config.get("JOBS_QUEUE_URL") or ""
        name = app.config.get("JOBS_QUEUE_NAME") or "pass-numerique"
        if url.startswith(("redis://", "rediss://", "unix://")):
            self.huey: Huey = RedisHuey(name, url=url, results=False)
        else:
            path = url.removeprefix("sqlite:///") or os.path.join(app.instance_path, "jobs-queue.sqlite3")
            self.huey = SqliteHuey(name, filename=path, results=False)

        @self.huey.task(name="run_job")
        def run_job(job_id: int):
            with app.app_context():
                run(job_id)

        @self.huey.periodic_task(crontab(minute=f"*/{PURGE_EVERY_MINUTES}"), name="purge_jobs")
        def purge_jobs():
            with app.app_context():
                purge()

        self.run_job = run_job

