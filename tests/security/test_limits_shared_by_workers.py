"""Rate limits hold for the whole site, whatever the number of workers and instances.

Before the fix, without REDIS_URL each gunicorn worker counted in its own memory: with two workers
a login could be tried about twenty times a minute instead of ten, and each more worker or
instance added ten more. The default storage now counts in the application's database (the
SQLite file of `make run`, PostgreSQL in production), and production refuses a per-process store.
"""
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from partner_site import create_app
from partner_site.extensions import db

from ..conftest import base_config
from ..servers import Gunicorn, server_env

LOGIN_LIMIT = 10  # a minute per address tried: partner_site/auth/routes.py
ATTEMPTS = 24
LONG_SECRET = "a-production-secret-key-0123456789-abcdefghijkl"


def _login_form(base_url: str) -> tuple[dict, str]:
    page = requests.get(base_url + "/login", timeout=30)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return page.cookies.get_dict(), token


def _attempt(base_url: str, cookies: dict, token: str) -> int:
    """Try a wrong password on a fresh connection (no session object: a new TCP connection each time)."""
    form = {"email": "guessed@example.org", "password": "wrong-password-123", "csrf_token": token}
    response = requests.post(base_url + "/login", data=form, cookies=cookies, allow_redirects=False, timeout=60,
                             headers={"Connection": "close"})
    return response.status_code


def test_two_gunicorn_workers_share_the_login_limit(app):
    env = {**server_env(app), "RATELIMIT_ENABLED": "1", "REDIS_URL": ""}
    with Gunicorn(env, workers=2) as server:
        cookies, token = _login_form(server.url)
        start = threading.Barrier(4, timeout=60)

        def attempts(_):
            start.wait()  # four at once: both workers are busy, so both answer some
            return [_attempt(server.url, cookies, token) for _ in range(ATTEMPTS // 4)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = [status for batch in pool.map(attempts, range(4)) for status in batch]
    print(f"\n{ATTEMPTS} attempts on 2 workers: {answers.count(200)} let through, {answers.count(429)} refused")
    assert set(answers) <= {200, 429}, answers
    assert answers.count(200) == LOGIN_LIMIT, answers


def test_production_refuses_to_start_with_a_per_process_store(tmp_path):
    config = {**base_config(tmp_path, str(tmp_path / "keys.json"), f"sqlite:///{tmp_path}/db.sqlite3"),
              "PRODUCTION": True, "SECRET_KEY": LONG_SECRET, "RATELIMIT_ENABLED": True,
              "RATELIMIT_STORAGE_URI": "memory://"}
    with pytest.raises(RuntimeError, match="memory://"):
        create_app(config)


def test_production_counts_in_the_database_by_default(tmp_path):
    config = {**base_config(tmp_path, str(tmp_path / "keys.json"), f"sqlite:///{tmp_path}/db.sqlite3"),
              "PRODUCTION": True, "SECRET_KEY": LONG_SECRET, "RATELIMIT_ENABLED": True}
    config.pop("RATELIMIT_STORAGE_URI", None)
    app = create_app(config)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("database://")


def test_two_storages_on_one_database_share_their_counts(app):
    """Two workers' storages (two objects, one database): what one counts, the other sees."""
    from partner_site.ratelimit_storage import DatabaseStorage

    one, two = DatabaseStorage("database://"), DatabaseStorage("database://")
    assert [one.incr("login/a", 60), two.incr("login/a", 60), one.incr("login/a", 60, amount=3)] == [1, 2, 5]
    assert two.get("login/a") == 5 and one.get("login/b") == 0
    two.clear("login/a")
    assert one.get("login/a") == 0


def test_an_expired_counter_starts_again_and_is_purged(app, monkeypatch):
    from partner_site import ratelimit_storage
    from partner_site.models import RateLimitCounter

    storage = ratelimit_storage.DatabaseStorage("database://")
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit_storage, "_now", lambda: now[0])
    assert storage.incr("k", 60, amount=7) == 7 and storage.get_expiry("k") == now[0] + 60
    now[0] += 61
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == now[0] + 60  # a new window, not 8
    storage.incr("old", 60)
    now[0] += 3600
    assert storage.purge_expired() == 2
    db.session.remove()
    assert db.session.execute(sa.select(sa.func.count()).select_from(RateLimitCounter)).scalar() == 0


def test_a_sliding_window_counts_a_hit_only_if_it_fits_and_weighs_the_previous_window(app, monkeypatch):
    from partner_site import ratelimit_storage

    storage = ratelimit_storage.DatabaseStorage("database://")
    now = [6_000_000.0 + 30]  # half-way through a minute
    monkeypatch.setattr(ratelimit_storage, "_now", lambda: now[0])
    assert [storage.acquire_sliding_window_entry("login", 10, 60) for _ in range(12)] == [True] * 10 + [False] * 2
    assert storage.get_sliding_window("login", 60)[2] == 10  # the refused hits cost nothing
    assert not storage.acquire_sliding_window_entry("other", 10, 60, amount=11)
    now[0] += 31  # one second into the next minute: the previous one still weighs 59/60 of 10
    assert not storage.acquire_sliding_window_entry("login", 10, 60)
    now[0] += 15  # 44/60 of 10 is 7.3: two more fit, not three
    assert [storage.acquire_sliding_window_entry("login", 10, 60) for _ in range(3)] == [True, True, False]
    assert storage.get_sliding_window("login", 60)[:3:2] == (10, 2)


def test_the_count_is_kept_outside_the_request_transaction(app):
    """A request that rolls back (a refusal, an error) does not undo its hit: the count is committed at once."""
    from partner_site.ratelimit_storage import DatabaseStorage

    storage = DatabaseStorage("database://")
    db.session.execute(sa.text("SELECT 1"))  # the request's session holds a transaction open
    storage.incr("k", 60)
    db.session.rollback()
    assert storage.get("k") == 1
