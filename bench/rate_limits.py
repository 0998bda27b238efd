"""What a rate-limited request pays for a count the whole site shares: the database store per hit.

Each limited request makes one hit (a read of the previous window and one conditional upsert, in
a short transaction of its own) and, for the rate-limit headers, one read of the window. Measured
in one process against two baselines taken in the same run: the smallest transaction the same
database can do (`SELECT 1` in `engine.begin()`), and the per-process memory store the site
used before (which let each worker count on its own). Usage:

    .venv/bin/python bench/rate_limits.py [--hits 2000] [--database-url postgresql://...]
"""
import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402
from limits import parse  # noqa: E402
from limits.storage import MemoryStorage  # noqa: E402
from limits.strategies import SlidingWindowCounterRateLimiter  # noqa: E402

from partner_site import create_app  # noqa: E402
from partner_site.extensions import db  # noqa: E402
from partner_site.ratelimit_storage import DatabaseStorage  # noqa: E402


def per_call(function, count: int) -> float:
    """Return the mean seconds of one call of `function(i)`, best of three rounds."""
    best = float("inf")
    for _round in range(3):
        began = time.perf_counter()
        for i in range(count):
            function(i)
        best = min(best, (time.perf_counter() - began) / count)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hits", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-limits-")
    url = args.database_url or f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40, "TESTING": True,
                      "SIGNING_KEYS_FILE": os.path.join(tmp, "keys.json")})
    limit = parse("240 per minute")  # the scan route's limit per person
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.execute(sa.text("DELETE FROM rate_limits"))
        db.session.commit()

        def floor(_i):
            with db.engine.begin() as conn:
                conn.execute(sa.text("SELECT 1"))

        shared = SlidingWindowCounterRateLimiter(DatabaseStorage("database://"))
        memory = SlidingWindowCounterRateLimiter(MemoryStorage())

        def request_with(limiter):
            def one(i):
                key = f"user:{i % 50}"  # fifty people scanning: each stays under 240 a minute
                limiter.hit(limit, key)
                limiter.get_window_stats(limit, key)  # the X-RateLimit-* headers
            return one

        figures = {"floor": per_call(floor, args.hits), "database": per_call(request_with(shared), args.hits),
                   "memory": per_call(request_with(memory), args.hits)}
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"backend={backend} hits={args.hits} (one hit and one header read per limited request)")
    print(f"smallest transaction (SELECT 1)   : {figures['floor'] * 1e6:8.0f} µs")
    print(f"database store, one request       : {figures['database'] * 1e6:8.0f} µs"
          f"  ({figures['database'] / figures['floor']:.1f} x the smallest transaction)")
    print(f"memory store (per process), before: {figures['memory'] * 1e6:8.0f} µs")
    print(json.dumps({"bench": "limits", "backend": backend,
                      **{f"{k}_us": round(v * 1e6) for k, v in figures.items()},
                      "ratio_to_floor": round(figures["database"] / figures["floor"], 2)}))


if __name__ == "__main__":
    main()
