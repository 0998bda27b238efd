"""The Pass numérique partner site: the application factory."""
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from .config import Config
from .compression import init_compression
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .private_files import instance_secret, private_file, private_folder


def create_app(config=None) -> Flask:
    """Build the application; `config` (a dict) overrides the environment, for tests."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", os.path.join(root, "instance")),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    from .http import DatabaseId

    app.url_map.converters["int"] = DatabaseId  # before any route is declared
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    private_folder(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "partner_site.sqlite3")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    _private_sqlite_files(uri)
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = uri = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if uri.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5,
                                                   **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    production = os.environ.get("FLASK_ENV") == "production" or bool(app.config.get("PRODUCTION"))
    app.config["PRODUCTION"] = production
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if not app.config.get("SECRET_KEY") and not production:
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    _check_production_secret(app, production)
    _check_production_limits(app, production)
    if production and "SITE_URL" not in os.environ and not (config or {}).get("SITE_URL"):
        app.logger.warning("SITE_URL is not set: links in e-mails point to %s", app.config["SITE_URL"])
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "fr", timezone_selector=lambda: app.config["TIMEZONE"])
    from . import ratelimit_storage  # noqa: F401  registers the database:// scheme before the limiter reads it

    limiter.init_app(app)
    init_compression(app)

    from .domain.keys import Keyring

    app.extensions["keyring"] = Keyring(
        app.config.get("SIGNING_KEYS_FILE") or os.path.join(app.instance_path, "signing_keys.json")
    )

    from . import api, auth, backoffice, claims, finance, jobs, offline, review, team, web, workshops_ui
    from .cli import register_cli
    from .http import register_http
    from .privacy_headers import register_privacy_headers

    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(claims.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(finance.bp)
    app.register_blueprint(workshops_ui.bp)
    app.register_blueprint(team.bp)
    app.register_blueprint(backoffice.bp)
    app.register_blueprint(offline.bp)
    register_http(app)
    register_privacy_headers(app)
    register_cli(app)
    jobs.init_app(app)
    return app


def _private_sqlite_files(uri: str) -> None:
    """Keep a SQLite database file (and so its -wal and -shm files) readable by the site's user only."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or not os.path.isdir(os.path.dirname(os.path.abspath(url.database))):
        return
    private_file(url.database)
    for suffix in ("-wal", "-shm"):  # left by an older version with wider permissions
        if os.path.exists(url.database + suffix):
            private_file(url.database + suffix)


def _check_production_secret(app: Flask, production: bool) -> None:
    """Refuse to start in production without a real secret key (missing, short or repetitive)."""
    if production:
        secret = app.config.get("SECRET_KEY") or ""
        if len(secret) < 32 or len(set(secret)) < 8:
            raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters in production")


def _check_production_limits(app: Flask, production: bool) -> None:
    """Refuse to start in production with a per-process rate-limit store (each worker would count alone)."""
    if production and str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        raise RuntimeError("RATELIMIT_STORAGE_URI is memory://: each worker would count alone in production. "
                           "Leave it unset (limits counted in the database) or set REDIS_URL")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Make SQLite safe for several workers: WAL, a busy timeout, foreign keys enforced."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
