"""Contention: many phones send the same tickets at the same time; each ticket must be accepted once.

Every client scans the same list of tickets in the same order (the worst case), through one or
several gunicorn instances on one database. Prints answers per second, accepted tickets and
duplicates (must be 0). Usage:

    .venv/bin/python bench/contention.py [--tickets 300] [--clients 12] [--database-url postgresql://...] [--instances 2]
"""
import argparse
import json
import multiprocessing
import sys
import tempfile
import time
import uuid
from collections import Counter

import redeem  # bench/redeem.py: seeding, servers, login


def phone(args):
    """Log in, wait for the start, send every ticket; return the codes accepted and the answers' count."""
    url, email, workshop_id, codes, start_at = args
    session, csrf = redeem.login(url, email)
    while time.time() < start_at:
        time.sleep(0.001)
    accepted, answers = [], Counter()
    for code in codes:
        r = session.post(url + "/api/v1/redemptions", json={"workshop_id": workshop_id, "nonce": uuid.uuid4().hex,
                                                            "code": code}, headers={"X-CSRFToken": csrf})
        answers[r.status_code] += 1
        if r.status_code == 201:
            accepted.append(code)
    return accepted, answers, time.time()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-contention-")
    env = {"SIGNING_KEYS_FILE": f"{tmp}/keys.json", "RATELIMIT_ENABLED": "0", "INSTANCE_PATH": tmp,
           "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.sqlite3"}
    phones = redeem.seed(env, args.tickets, args.clients)
    codes = [code for p in phones for code in p["codes"]][:args.tickets]
    procs = [redeem.start("wsgi:app", env, args.workers) for _ in range(args.instances)]
    try:
        start_at = time.time() + 3
        jobs = [(procs[i % len(procs)][1], p["email"], p["workshop_id"], codes, start_at) for i, p in enumerate(phones)]
        with multiprocessing.Pool(len(jobs)) as pool:
            results = pool.map(phone, jobs)
    finally:
        for proc, _url in procs:
            proc.terminate()
            proc.wait()
    elapsed = max(end for _a, _c, end in results) - start_at
    per_ticket = Counter(code for accepted, _c, _e in results for code in accepted)
    answers = sum((c for _a, c, _e in results), Counter())
    duplicates = sum(1 for n in per_ticket.values() if n > 1)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    total = sum(answers.values())
    print(f"backend={backend} instances={args.instances} clients={args.clients} tickets={len(codes)}")
    print(f"answers: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s) {dict(sorted(answers.items()))}")
    print(f"tickets accepted: {len(per_ticket)} of {len(codes)}; duplicates: {duplicates}")
    print(json.dumps({"bench": "contention", "backend": backend, "instances": args.instances, "clients": args.clients,
                      "tickets": len(codes), "accepted": len(per_ticket), "duplicates": duplicates,
                      "answers_per_s": round(total / elapsed), "server_errors": sum(
                          n for s, n in answers.items() if s >= 500)}))
    sys.exit(1 if duplicates or len(per_ticket) != len(codes) else 0)


if __name__ == "__main__":
    main()
