"""`flask --app wsgi backup`: a consistent copy of the database while the site keeps serving.

SQLite: the online backup API (pages copied under SQLite's own locking, so writers carry on and
the copy is one consistent snapshot), then an integrity check of the copy. PostgreSQL: pg_dump
in its custom format (one MVCC snapshot; restore with pg_restore), when pg_dump is installed.
The signing-keys file is NOT in the database: back it up separately, as a secret.
"""
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone

import click
from flask import current_app
from sqlalchemy.engine import make_url

from ..extensions import db
from ..private_files import private_file, private_folder


def backup_sqlite(source_path: str, target_path: str) -> dict:
    """Copy a live SQLite database with the online backup API; check and describe the copy."""
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target, pages=1024)
        integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
        redemptions = target.execute("SELECT count(*) FROM redemptions").fetchone()[0]
    finally:
        target.close()
        source.close()
    if integrity != "ok":
        raise click.ClickException(f"the copy failed SQLite's integrity check: {integrity}")
    return {"engine": "sqlite", "path": target_path, "bytes": os.path.getsize(target_path), "redemptions": redemptions}


def backup_postgresql(url, target_path: str) -> dict:
    """Dump a PostgreSQL database with pg_dump's custom format (restore: pg_restore --clean -d ...)."""
    if shutil.which("pg_dump") is None:
        raise click.ClickException("pg_dump is not installed: see docs/security.md, Backups")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", target_path, dsn], check=True)
    return {"engine": "postgresql", "path": target_path, "bytes": os.path.getsize(target_path)}


def default_target(engine: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = private_folder(os.path.join(current_app.instance_path, "backups"))
    return os.path.join(folder, f"partner_site-{stamp}.{'sqlite3' if engine == 'sqlite' else 'dump'}")


@click.command("backup")
@click.option("--out", "target", type=click.Path(dir_okay=False), help="Where to write (default: instance/backups/).")
def backup_command(target):
    """Back up the database while the site runs; print what was written as JSON."""
    url = make_url(str(db.engine.url))
    engine = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    target = target or default_target(engine)
    if os.path.exists(target):
        raise click.ClickException(f"{target} exists: choose another file")
    private_file(target)  # created empty and 0600 first: the copy holds personal data and IBANs
    if engine == "sqlite":
        result = backup_sqlite(url.database, target)
    else:
        result = backup_postgresql(url, target)
    click.echo(json.dumps(result))
