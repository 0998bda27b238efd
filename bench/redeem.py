"""Accepted redemptions per second through gunicorn, against a bare Flask endpoint.

Both servers run the same way (gunicorn, same workers) in the same run, driven by the same
client (several processes, keep-alive sessions, each request a new ticket), so the ratio
means something on a noisy machine. Usage:

    .venv/bin/python bench/redeem.py [--requests 3000] [--database-url postgresql://...] [--instances 2]
"""
import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import requests  # noqa: E402

from tests.servers import free_port  # noqa: E402

PASSWORD = "bench-password-123"


def seed(env: dict, tickets: int, clients: int) -> list[dict]:
    """Create a fresh database with active tickets, one trainer and workshop per client."""
    code = f"""
import json, sqlalchemy as sa
from flask_migrate import upgrade
from partner_site import create_app
from partner_site.extensions import db
from partner_site.models import Partner, PartnerStatus, User, Role, Workshop, Ticket
from partner_site.domain import booklets
from partner_site.domain.clock import local_today, to_utc_naive
from datetime import datetime, time
from tests.helpers import Factory
app = create_app()
with app.app_context():
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public")); db.session.commit()
    upgrade()
    f = Factory()
    campaign = f.campaign(budget_cents=10**12)
    partner = f.partner()
    day = local_today()
    out = []
    for i in range({clients}):
        u = User(email=f"bench{{i}}@example.org", role=Role.TRAINER, partner_id=partner.id)
        u.set_password({PASSWORD!r}); db.session.add(u)
        w = f.workshop(partner, capacity=1000, tickets_per_participant=10)
        out.append({{"email": u.email, "workshop_id": w.id, "codes": []}})
    db.session.commit()
    made = booklets.generate("bench", campaign, {tickets} // 10 + 1)
    for b in made:
        booklets.distribute("bench", b)
    db.session.commit()
    numbers = [n for n, in db.session.execute(sa.select(Ticket.number).order_by(Ticket.number))]
    per = len(numbers) // {clients}
    for i, c in enumerate(out):
        c["codes"] = [booklets.ticket_code(n) for n in numbers[i * per:(i + 1) * per]]
    print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def start(module: str, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                             str(workers), "--log-level", "warning", module],
                            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{module} did not start")


def login(url: str, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', session.get(url + "/login").text).group(1)
    session.post(url + "/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', session.get(url + "/").text).group(1)
    return session, csrf


def client(args):
    """One phone: log in, then send its tickets one after another; return (accepted, seconds)."""
    url, email, workshop_id, codes, bare, start_at = args
    if bare:
        session, csrf = requests.Session(), ""
    else:
        session, csrf = login(url, email)
    while time.time() < start_at:
        time.sleep(0.001)
    accepted = 0
    began = time.perf_counter()
    for code in codes:
        r = session.post(url + "/api/v1/redemptions", json={"workshop_id": workshop_id, "nonce": uuid.uuid4().hex,
                                                            "code": code}, headers={"X-CSRFToken": csrf})
        accepted += r.status_code == 201
    return accepted, time.perf_counter() - began


def run(urls: list[str], phones: list[dict], per_client: int, bare: bool) -> tuple[float, int]:
    start_at = time.time() + 3  # every phone logged in before the clock starts
    jobs = [(urls[i % len(urls)], p["email"], p["workshop_id"], p["codes"][:per_client], bare, start_at)
            for i, p in enumerate(phones)]
    began = time.time()
    with multiprocessing.Pool(len(jobs)) as pool:
        results = pool.map(client, jobs)
    accepted = sum(a for a, _ in results)
    elapsed = max(s for _, s in results)
    del began
    return accepted / elapsed, accepted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-redeem-")
    env = {"SIGNING_KEYS_FILE": os.path.join(tmp, "keys.json"), "SECRET_KEY": "bench-" + "x" * 40,
           "INSTANCE_PATH": tmp, "RATELIMIT_ENABLED": "0",
           "DATABASE_URL": args.database_url or f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"}
    per_client = args.requests // args.clients
    phones = seed(env, per_client * args.clients + 10 * args.clients, args.clients)
    backend = "PostgreSQL" if args.database_url else "SQLite"

    bare_proc, bare_url = start("bench.bare_app:app", env, args.workers * args.instances)
    bare_rate, _ = run([bare_url], phones, per_client, bare=True)
    bare_proc.terminate()
    bare_proc.wait()

    procs = [start("wsgi:app", env, args.workers) for _ in range(args.instances)]
    app_rate, accepted = run([url for _, url in procs], phones, per_client, bare=False)
    for proc, _ in procs:
        proc.terminate()
        proc.wait()

    ratio = app_rate / bare_rate
    print(f"backend={backend} instances={args.instances} workers/instance={args.workers} clients={args.clients} "
          f"cpus={os.cpu_count()}")
    print(f"bare Flask endpoint : {bare_rate:8.0f} req/s")
    print(f"redemptions accepted: {app_rate:8.0f} /s  ({accepted} accepted of {per_client * args.clients})")
    print(f"ratio               : {ratio:8.2f}  (goal >= 0.5 on SQLite)")
    print(json.dumps({"bench": "redeem", "backend": backend, "instances": args.instances, "bare_rps": round(bare_rate),
                      "redeem_rps": round(app_rate), "ratio": round(ratio, 2), "accepted": accepted}))


if __name__ == "__main__":
    main()
