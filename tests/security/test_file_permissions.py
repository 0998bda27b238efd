"""Files: the SQLite database, its WAL and shared-memory files and every backup are readable by their owner only."""
import json
import os
import stat

import pytest
import sqlalchemy as sa

from partner_site import create_app
from partner_site.extensions import db

from ..conftest import base_config


@pytest.fixture
def open_umask():
    """Run as a default Debian shell does: new files readable by everyone unless the app says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path, keys_file, open_umask):
    path = tmp_path / "instance" / "site.sqlite3"
    os.makedirs(path.parent)
    app = create_app(base_config(tmp_path, keys_file, f"sqlite:///{path}"))
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(sa.text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        files = {name: mode(f"{path}{name}") for name in ("", "-wal", "-shm")}
        db.engine.dispose()
    assert files == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_an_existing_world_readable_database_is_made_private(tmp_path, keys_file, open_umask):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    create_app(base_config(tmp_path, keys_file, f"sqlite:///{path}"))
    assert mode(path) == 0o600


def test_every_backup_is_private(app, runner, backend, tmp_path, open_umask):
    if backend == "postgresql" and not __import__("shutil").which("pg_dump"):
        pytest.skip("pg_dump is not installed: the PostgreSQL backup cannot run here")
    target = tmp_path / "backup.out"
    result = runner.invoke(args=["backup", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
    default = runner.invoke(args=["backup"])
    assert default.exit_code == 0, default.output
    written = json.loads(default.output)["path"]
    assert mode(written) == 0o600 and mode(os.path.dirname(written)) == 0o700
