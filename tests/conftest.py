"""Fixtures: an app on a real database (SQLite file, and PostgreSQL when TEST_DATABASE_URL is set).

Every test that uses `app` runs once per backend. The schema is built by the migrations once
per session; each test starts from empty tables (a copied SQLite file, a TRUNCATE on
PostgreSQL), so tests may commit and use several connections, as concurrency tests must.
"""
import os
import re
import shutil

import pytest
import sqlalchemy as sa

from partner_site import create_app
from partner_site.extensions import db

from .helpers import ApiClient, Factory, IsolatedClient

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _pg_ensure_database(url: str) -> None:
    """Create the PostgreSQL test database if it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _migrate(app):
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture
def keys_file(tmp_path):
    """Each test signs with its own keys, so rotating keys in one test touches no other."""
    return str(tmp_path / "signing_keys.json")


@pytest.fixture(scope="session")
def schema_keys_file(tmp_path_factory):
    return str(tmp_path_factory.mktemp("keys") / "signing_keys.json")


def base_config(tmp_path, keys_file, uri):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-which-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": uri,
        "SIGNING_KEYS_FILE": keys_file,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # Each test its own job queue and files (the worker, when a test starts one, gets the same).
        "JOBS_QUEUE_URL": f"sqlite:///{tmp_path}/jobs-queue.sqlite3" if tmp_path else None,
        "JOBS_DIR": str(tmp_path / "jobs") if tmp_path else None,
    }


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, schema_keys_file):
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(base_config(None, schema_keys_file, f"sqlite:///{path}"))
    _migrate(app)
    import sqlite3

    with sqlite3.connect(path) as conn:  # fold the WAL into the file, so a plain copy is whole
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def pg_schema(schema_keys_file):
    if not PG_URL:
        return None
    _pg_ensure_database(PG_URL)
    app = create_app(base_config(None, schema_keys_file, PG_URL))
    with app.app_context():
        db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        db.engine.dispose()
    _migrate(app)
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL run skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request):
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_schema")
    engine = sa.create_engine(re.sub(r"^postgresql://", "postgresql+psycopg://", url))
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app(database_url, keys_file, tmp_path):
    app = create_app(base_config(tmp_path, keys_file, database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, keys_file, tmp_path):
    """Build another app on the same database with some settings changed (e.g. rate limits on)."""
    made = []

    def make(**overrides):
        other = create_app({**base_config(tmp_path, keys_file, database_url), **overrides})
        other.test_client_class = IsolatedClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app):
    return Factory()


@pytest.fixture
def api(app):
    """Return a factory of logged-in JSON clients: `api(user)`."""

    def make(user, password=Factory.PASSWORD):
        return ApiClient(app, user.email, password)

    return make


@pytest.fixture
def login(api):
    """Same as `api`: a logged-in client for pages (`.get`, `.form`) and JSON."""
    return api


@pytest.fixture
def live_server(app, backend):
    """Serve the test app in a thread on a free local port (browser tests run once, on SQLite)."""
    from .browser_support import threaded_server

    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite only: the PostgreSQL run covers the same rules without a browser")
    with threaded_server(app) as url:
        yield url


@pytest.fixture
def browser():
    """Debian's Chromium, driven by Playwright, closed after the test."""
    from .browser_support import launch, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
