"""`make bench`: run every script under bench/ and print one table of figures, with the machine and date.

Each row is a figure measured against a baseline taken in the same run. Defaults keep the whole
run to a few minutes on a small machine; `--national` loads the claims bench at national scale
(4,000 partners, 1,000,000 redemptions: several more minutes). PostgreSQL rows are skipped when
the server cannot be reached. Usage:

    .venv/bin/python bench/run_all.py [--pg-url postgresql://postgres@127.0.0.1:5432] [--db-prefix bench_] [--national]
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()}: {model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def pg_ready(admin_url: str, name: str) -> bool:
    """Create database `name` if needed; say whether PostgreSQL answers."""
    try:
        import psycopg

        with psycopg.connect(admin_url + "/postgres", autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as err:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"PostgreSQL unavailable ({err}): its rows are skipped")
        return False


def run(script: str, *args: str) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, os.path.join(HERE, script), *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": ROOT})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        print(f"bench/{script} {' '.join(args)} failed ({done.returncode})")
        return None, elapsed
    return done.stdout, elapsed


def last_json(output: str) -> dict:
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])


def redeem_row(output: str) -> list:
    r = last_json(output)
    return [f"redemptions/s, {r['backend']} x{r['instances']}", f"{r['redeem_rps']}/s",
            f"bare Flask {r['bare_rps']}/s", f"{r['ratio']:.2f}", f"{r['accepted']} accepted"]


def contention_row(output: str) -> list:
    r = last_json(output)
    return [f"contention, {r['backend']} x{r['instances']}, {r['clients']} phones same tickets",
            f"{r['answers_per_s']} answers/s", f"{r['tickets']} tickets", "-",
            f"{r['accepted']} accepted once, {r['duplicates']} duplicates, {r['server_errors']} 5xx"]


def limits_row(output: str) -> list:
    r = last_json(output)
    return [f"rate limit shared by the site, {r['backend']}, one limited request", f"{r['database_us']} µs",
            f"SELECT 1 in a transaction {r['floor_us']} µs", f"{r['ratio_to_floor']:.1f}",
            f"per-process memory store {r['memory_us']} µs"]


def print_row(output: str) -> list:
    tickets = re.search(r"tickets: (\d+)", output).group(1)
    printing = re.search(r"print of the whole campaign: ([\d.]+) s for (\d+) pages", output)
    matrices = re.search(r"interleaved, QR matrices alone: ([\d.]+) s", output).group(1)
    ratio = re.search(r"ratio print / baseline: ([\d.]+)", output).group(1)
    return [f"print {tickets} tickets ({printing.group(2)} pages)", f"{printing.group(1)} s",
            f"QR matrices alone {matrices} s", ratio, "goal <= 1.5"]


def claims_rows(output: str) -> list[list]:
    scale = re.search(r"claims bench on (\w+): ([\d,]+) partners, ([\d,]+) redemptions", output)
    rows = []
    for goal in re.finditer(r"goal (.+?): worst median ([\d.]+) ms, limit (\d+) ms: (\w+)", output):
        rows.append([f"claims: {goal.group(1)} ({scale.group(1)}, {scale.group(2)} partners, "
                     f"{scale.group(3)} redemptions)", f"{goal.group(2)} ms", f"limit {goal.group(3)} ms", "-",
                     goal.group(4)])
    check = re.search(r"claims check: (\d+) discrepancies in ([\d.]+) s", output)
    rows.append([f"claims check ({scale.group(3)} redemptions)", f"{check.group(2)} s", "-", "-",
                 f"{check.group(1)} discrepancies"])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--db-prefix", default=os.environ.get("BENCH_DB_PREFIX", "bench_"))
    parser.add_argument("--national", action="store_true", help="claims at 4,000 partners and 1,000,000 redemptions")
    parser.add_argument("--requests", default="1500", help="redemptions per redeem run")
    args = parser.parse_args()
    redeem_db, claims_db = f"{args.db_prefix}redeem", f"{args.db_prefix}claims"
    pg = pg_ready(args.pg_url, redeem_db)
    rows, timings = [], []

    def stage(label, parse, script, *script_args):
        output, seconds = run(script, *script_args)
        if output is None:
            rows.append([label, "FAILED", "-", "-", f"see bench/{script}'s output above"])
            timings.append(f"{label} failed")
            return
        parsed = parse(output)
        rows.extend(parsed if isinstance(parsed[0], list) else [parsed])
        timings.append(f"{label} {seconds:.0f} s")

    stage("redeem/SQLite", redeem_row, "redeem.py", "--requests", args.requests)
    stage("contention/SQLite", contention_row, "contention.py")
    stage("limits/SQLite", limits_row, "rate_limits.py")
    if pg:
        pg_redeem = f"{args.pg_url}/{redeem_db}"
        stage("redeem/PostgreSQL", redeem_row, "redeem.py", "--requests", args.requests, "--database-url", pg_redeem,
              "--instances", "2")
        stage("contention/PostgreSQL", contention_row, "contention.py", "--database-url", pg_redeem, "--instances", "2")
        stage("limits/PostgreSQL", limits_row, "rate_limits.py", "--database-url", pg_redeem)
    stage("print", print_row, "print.py", "--booklets", "500")
    if pg:
        scale = [] if args.national else ["--partners", "400", "--redemptions", "100000", "--runs", "7"]
        stage("claims", claims_rows, "claims.py", "--database-url", f"{args.pg_url}/{claims_db}", *scale)

    header = ["bench", "figure", "baseline (same run)", "ratio", "check"]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(f"\nBenchmarks, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, on {machine()}\n")
    for row in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(str(cell).ljust(w) for cell, w in zip(row, widths)) + " |")
    print("\nstage times: " + ", ".join(timings))


if __name__ == "__main__":
    main()
