"""Backups: `flask --app wsgi backup`, then a restore in which every redemption is found again."""
import json
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from partner_site.extensions import db
from partner_site.models import Redemption

from .claims_world import campaign_for_last_month, make_world, validations

RESTORE_DB = "hardening_restore"


def _redemptions(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT r.id, r.ticket_id, r.workshop_id, r.amount_cents, t.status FROM redemptions r "
            "JOIN tickets t ON t.id = r.ticket_id ORDER BY r.id"))]


@pytest.fixture
def redeemed(factory):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory, 0)
    validations(factory, world, campaign, 8)
    expected = _redemptions(db.engine)
    assert len(expected) == 8 and db.session.execute(sa.select(sa.func.count(Redemption.id))).scalar() == 8
    return expected


def test_a_restored_backup_holds_every_redemption(app, runner, redeemed, tmp_path, backend):
    target = tmp_path / "backup.out"
    result = runner.invoke(args=["backup", "--out", str(target)])
    assert result.exit_code == 0, result.output
    written = json.loads(result.output)
    assert written["path"] == str(target) and written["bytes"] > 0
    if backend == "sqlite":
        assert written["redemptions"] == len(redeemed)
        restored = sa.create_engine(f"sqlite:///{target}")
    else:
        restored = _pg_restore(app, target)
    try:
        assert _redemptions(restored) == redeemed
    finally:
        restored.dispose()
    again = runner.invoke(args=["backup", "--out", str(target)])
    assert again.exit_code != 0 and "exists" in again.output


def _pg_restore(app, dump_path):
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        conn.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    target = url.set(database=RESTORE_DB).render_as_string(hide_password=False)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump_path)], check=True)
    return sa.create_engine(url.set(drivername="postgresql+psycopg", database=RESTORE_DB))


def test_backup_has_help(runner):
    result = runner.invoke(args=["backup", "--help"])
    assert result.exit_code == 0 and "Back up the database" in result.output
