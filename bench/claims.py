"""Bench: the claims pages at national scale (4,000 partners, 1,000,000 redemptions).

    .venv/bin/python bench/claims.py                       # PostgreSQL, database bench_claims
    .venv/bin/python bench/claims.py --sqlite /tmp/b.db    # the same on SQLite
    .venv/bin/python bench/claims.py --reuse               # measure again without reloading

Loads the data with COPY (PostgreSQL) or executemany in large batches (SQLite), then requests
each page in-process and prints the server time per page (median and 95th percentile of
--runs requests), the SQL statements per request (constant, so no N+1) and the ratio to a
baseline measured in the same run: the partner's home page, one small query.
"""
import argparse
import csv
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from partner_site import create_app  # noqa: E402
from partner_site.domain.clock import local_today  # noqa: E402
from partner_site.extensions import db  # noqa: E402
from partner_site.models import Campaign, Claim, ClaimStatus, Role, User  # noqa: E402

import claims_data  # noqa: E402

PASSWORD = "bench-password-123"
TABLES = ["partners", "users", "bank_accounts", "booklets", "tickets", "workshops", "redemptions",
          "payment_batches", "claims", "claim_lines", "payments", "counters"]
GOALS = {"partner claims page": 100, "staff queue": 500}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_claims"))
    parser.add_argument("--sqlite", metavar="PATH", help="run on a SQLite file instead of PostgreSQL")
    parser.add_argument("--partners", type=int, default=4000)
    parser.add_argument("--redemptions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="measure the database already loaded")
    return parser.parse_args()


def make_app(args, keys_dir):
    uri = f"sqlite:///{os.path.abspath(args.sqlite)}" if args.sqlite else args.database_url
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench-secret-key-long-enough-0123456789",
                       "RATELIMIT_ENABLED": False, "SIGNING_KEYS_FILE": os.path.join(keys_dir, "keys.json")})


def reset(args):
    """Start from an empty database with the schema of the migrations."""
    if args.sqlite:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(args.sqlite + suffix):
                os.remove(args.sqlite + suffix)
    else:
        import psycopg

        name = args.database_url.rsplit("/", 1)[1]
        with psycopg.connect(args.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(directory=os.path.join(ROOT, "migrations"))


def seed(today: date):
    """Create the two staff users (ids 1, 2) and the campaign (id 1) through the ORM."""
    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    for email, role in (("instructeur@bench.example", Role.INSTRUCTOR), ("payeur@bench.example", Role.FINANCE)):
        db.session.add(User(email=email, role=role, full_name=email.split("@")[0], password_hash=password_hash))
    db.session.add(Campaign(name="Bench", budget_cents=10**12, face_value_cents=claims_data.FACE,
                            starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=300)))
    db.session.commit()
    return password_hash


def load(args, out: str) -> None:
    today = local_today()
    started = time.perf_counter()
    plan = claims_data.Plan(args.partners, args.redemptions, today, seed(today), out)
    counts = claims_data.generate(plan, instructor_id=1, finance_id=2, campaign_id=1)
    generated = time.perf_counter()
    (copy_tables if not args.sqlite else insert_tables)(out)
    db.session.execute(sa.update(Campaign).values(issued_cents=counts["booklets"] * 10 * claims_data.FACE))
    db.session.commit()
    loaded = time.perf_counter()
    analyze(args)
    print(f"load: {counts['redemptions']:,} redemptions, {counts['partners']:,} partners, {counts['claims']:,} claims, "
          f"{counts['tickets']:,} tickets; largest partner {plan.sizes[0]:,} redemptions, median "
          f"{sorted(plan.sizes)[len(plan.sizes) // 2]:,}")
    print(f"load: generated in {generated - started:.0f} s, loaded in {loaded - generated:.0f} s, "
          f"analysed in {time.perf_counter() - loaded:.0f} s")


def copy_tables(out: str) -> None:
    """Load every CSV file with PostgreSQL's COPY, then move the id sequences past the loaded ids."""
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor:
        for table in TABLES:
            columns = ", ".join(claims_data.Writers.COLUMNS[table].split())
            with open(os.path.join(out, f"{table}.csv"), "rb") as f, cursor.copy(
                    f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            if table != "counters":
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
    connection.commit()


def insert_tables(out: str) -> None:
    """Load every CSV file into SQLite with executemany, 20,000 rows a statement."""
    connection = db.session.connection().connection.driver_connection
    for table in TABLES:
        columns = claims_data.Writers.COLUMNS[table].split()
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        with open(os.path.join(out, f"{table}.csv"), encoding="utf-8") as f:
            batch = []
            for row in csv.reader(f):
                batch.append([None if v == "\\N" else 1 if v == "t" else 0 if v == "f" else v for v in row])
                if len(batch) == 20_000:
                    connection.executemany(sql, batch)
                    batch = []
            connection.executemany(sql, batch)
    connection.commit()


def analyze(args) -> None:
    db.session.commit()
    if args.sqlite:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


class Client:
    """A logged-in test client, as in tests/helpers.py."""

    def __init__(self, app, email):
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = self.client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.status_code


def measure(app, args) -> None:
    statements = []
    with app.app_context():  # requests below run each in their own app context, as in production
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        targets = _targets(args)
        db.session.remove()
    largest, median, big_claim, submitted, queue_pages = targets
    clients = {"largest": Client(app, largest), "median": Client(app, median),
               "instructor": Client(app, "instructeur@bench.example"), "finance": Client(app, "payeur@bench.example")}
    detail_pages = -(-big_claim[1] // 50)
    big_claim = big_claim[0]
    pages = [
        ("baseline: partner home", "largest", "/workshops/"),  # where "/" sends a partner
        ("partner claims page (largest)", "largest", "/claims/"),
        ("partner claims page (median)", "median", "/claims/"),
        ("claim detail, page 1 (largest)", "largest", f"/claims/{big_claim}"),
        ("claim detail, last page", "largest", f"/claims/{big_claim}?page={detail_pages}"),
        ("API claims list (largest)", "largest", "/api/v1/claims"),
        ("API claim, 500 lines", "largest", f"/api/v1/claims/{big_claim}"),
        ("staff queue, page 1", "instructor", "/staff/claims/"),
        ("staff queue, last page", "instructor", f"/staff/claims/?page={queue_pages}"),
        ("staff queue, flagged only", "instructor", "/staff/claims/?flagged=1"),
        ("staff queue, search", "instructor", "/staff/claims/?q=association+0042"),
        ("staff queue, paid, page 200", "instructor", "/staff/claims/?status=paid&page=200"),
        ("staff claim review", "instructor", f"/staff/claims/{submitted}"),
        ("finance: claims to pay", "finance", "/finance/"),
        ("statement PDF (largest claim)", "largest", f"/claims/{big_claim}/statement.pdf"),
    ]
    print(f"\n{'page':<34} {'median ms':>10} {'p95 ms':>8} {'SQL':>5} {'× baseline':>11}")
    baseline = None
    results = {}
    for label, who, url in pages:
        client = clients[who].client
        runs = 3 if url.endswith(".pdf") else args.runs
        for _ in range(2):
            assert client.get(url).status_code == 200, (label, url)
        times = []
        statements.clear()
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        median_ms = statistics.median(times)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        baseline = baseline or median_ms
        results[label] = median_ms
        print(f"{label:<34} {median_ms:>10.1f} {p95:>8.1f} {len(statements) // runs:>5} {median_ms / baseline:>10.1f}×")
    print()
    for goal, limit in GOALS.items():
        worst = max(v for k, v in results.items() if k.startswith(goal))
        print(f"goal {goal}: worst median {worst:.1f} ms, limit {limit} ms: {'met' if worst < limit else 'MISSED'}")
    started = time.perf_counter()
    with app.app_context():
        from partner_site.domain.invariants import run_checks

        found = list(run_checks())
    print(f"claims check: {len(found)} discrepancies in {time.perf_counter() - started:.1f} s")


def _targets(args):
    """Pick the pages' subjects: the largest and a median partner, their claims, the queue's size."""
    def manager(partner_id):
        return db.session.execute(sa.select(User.email).where(User.partner_id == partner_id,
                                                              User.role == Role.MANAGER)).scalar()

    big_claim = db.session.execute(sa.select(Claim.id, Claim.line_count).where(
        Claim.partner_id == 1, Claim.reference.is_not(None)).order_by(Claim.period.desc())).first()
    submitted = db.session.execute(sa.select(Claim.id).where(Claim.status == ClaimStatus.SUBMITTED)
                                   .order_by(Claim.line_count.desc())).scalars().first()
    waiting = db.session.execute(sa.select(sa.func.count()).where(Claim.status == ClaimStatus.SUBMITTED)).scalar_one()
    return manager(1), manager(args.partners // 2), tuple(big_claim), submitted, -(-waiting // 50)


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as keys_dir, tempfile.TemporaryDirectory() as out:
        app = make_app(args, keys_dir)
        backend = "SQLite" if args.sqlite else "PostgreSQL"
        print(f"claims bench on {backend}: {args.partners:,} partners, {args.redemptions:,} redemptions")
        with app.app_context():
            if not args.reuse:
                reset(args)
                load(args, out)
            db.session.remove()
        measure(app, args)


if __name__ == "__main__":
    main()
