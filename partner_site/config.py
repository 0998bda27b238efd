"""Configuration read from the environment, with defaults that need nothing installed."""
import os
from datetime import timedelta


class Config:
    """Defaults for a newcomer's machine: SQLite under instance/, keys under instance/."""

    # Unset outside production: a random key kept in instance/secret_key (production refuses to start).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SIGNING_KEYS_FILE = os.environ.get("SIGNING_KEYS_FILE")  # None: instance/signing_keys.json
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Paris")
    WTF_CSRF_TIME_LIMIT = None  # a trainer keeps the scan page open for a whole workshop
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Cookies go over HTTPS only; unset means "in production" (FLASK_ENV=production), see create_app.
    SESSION_COOKIE_SECURE = {"1": True, "0": False}.get(os.environ.get("SESSION_COOKIE_SECURE", ""))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Server-side sessions (docs/security.md): an idle and an absolute lifetime. A trainer keeps the
    # scan page open through a whole workshop day without scanning for hours; staff move money and
    # read personal data, often on shared office computers.
    PARTNER_SESSION_IDLE = timedelta(hours=12)
    PARTNER_SESSION_MAX = timedelta(days=7)
    STAFF_SESSION_IDLE = timedelta(minutes=30)
    STAFF_SESSION_MAX = timedelta(hours=10)
    PERMANENT_SESSION_LIFETIME = PARTNER_SESSION_MAX  # the signed cookie itself is refused after that
    # Behind a TLS-terminating proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0: none trusted).
    PROXY_FIX = int(os.environ.get("PROXY_FIX", "0"))
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Limits hold for the whole site, whatever the number of workers and instances: counted in Redis
    # when REDIS_URL is set, otherwise in the site's own database (partner_site/ratelimit_storage.py).
    # A per-process store (`memory://`) would give each worker its own count: production refuses it.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "database://"
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_HEADERS_ENABLED = True
    # Sliding-window counter: the best fit for counting in the database. A hit is counted by one
    # conditional upsert only if it fits, so a refused hit costs nothing and two workers cannot both
    # take the last place; a moving window would keep one row per hit, a fixed window lets a double
    # burst through at its edge. Redis supports it as well.
    RATELIMIT_STRATEGY = "sliding-window-counter"
    # The app compresses what it serves (phones on rural connections, no proxy required).
    # HTML is left out on purpose: every page carries the CSRF token, and compressing a secret
    # next to text a user can influence is what the BREACH attack measures.
    COMPRESS_MIMETYPES = ["text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/csv", "text/plain"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5  # jsQR: 257 KB -> 46 KB in about 6 ms (level 4: 53 KB)
    COMPRESS_ZSTD_LEVEL = 9
    COMPRESS_MIN_SIZE = 500  # below this, headers cost more than compression saves
    # Background jobs (a whole campaign's print, a large mailing): the queue (`redis://...`; unset: REDIS_URL,
    # else a SQLite file in the instance folder), where finished files wait (unset: instance/jobs/, outside the
    # web root) and for how long before the purge removes them.
    JOBS_QUEUE_URL = os.environ.get("JOBS_QUEUE_URL") or os.environ.get("REDIS_URL")
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME") or "pass-numerique"  # several sites on one Redis: one each
    JOBS_DIR = os.environ.get("JOBS_DIR")
    JOBS_RETENTION_HOURS = int(os.environ.get("JOBS_RETENTION_HOURS", "24"))
    # Voucher numbering prefix shown on references, e.g. PN31-2021-000123.
    TERRITORY_CODE = os.environ.get("TERRITORY_CODE", "31")
    DEPARTMENT_NAME = os.environ.get("DEPARTMENT_NAME", "Département de la Haute-Garonne")
    # Positive corrections of one paid claim never exceed this, whatever was refused (see docs/claims.md).
    ADJUSTMENT_CAP_EUROS = int(os.environ.get("ADJUSTMENT_CAP_EUROS", "2000"))
    # The département's account that pays the claims (the debtor of the SEPA file). The defaults
    # are a well-formed demonstration account: set the real one in production.
    SEPA_DEBTOR_NAME = os.environ.get("SEPA_DEBTOR_NAME", "Departement de la Haute-Garonne")
    SEPA_DEBTOR_IBAN = os.environ.get("SEPA_DEBTOR_IBAN", "FR7630001007941234567890185")
    SEPA_DEBTOR_BIC = os.environ.get("SEPA_DEBTOR_BIC", "BDFEFRPPCCT")
    # Messages to associations: e-mailed when MAIL_SERVER is set, otherwise kept in the outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "pass-numerique@haute-garonne.example")
    # The site's address as people reach it, for the links in e-mails (never taken from a request's
    # Host header, which anyone can forge to have reset links point elsewhere).
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    # Days a closed request keeps the person's identity and address before `beneficiaries purge` erases them.
    REQUEST_RETENTION_DAYS = int(os.environ.get("REQUEST_RETENTION_DAYS", "365"))
