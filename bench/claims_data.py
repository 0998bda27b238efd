"""National-scale data for the claims bench, written as CSV files (one per table) for a bulk load.

4,000 partners, 1,000,000 redemptions over 12 months with a long tail (a few large associations,
many small ones): the current month open, last month submitted (70 %) or approved (30 %), older
months paid in one batch a month. Every row is consistent with the invariants, so
`flask claims check` passes on the loaded database.
"""
import csv
import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from partner_site.domain.codes import booklet_serial
from partner_site.domain.payments import digest_of
from partner_site.models import LineKind, LineStatus

FACE = 1000
STAFF = 2  # users 1 and 2 are the instructor and the finance officer, created before the load
MONTHS = 12
PER_WORKSHOP = 8


@dataclass
class Plan:
    partners: int
    redemptions: int
    today: date
    password_hash: str
    out: str
    sizes: list = field(default_factory=list)


def partner_sizes(partners: int, redemptions: int) -> list[int]:
    """Split the redemptions between partners with a long tail (largest about 2 % of the total)."""
    weights = [1 / (rank + 25) ** 0.9 for rank in range(partners)]
    total = sum(weights)
    sizes = [max(12, int(redemptions * w / total)) for w in weights]
    sizes[0] += redemptions - sum(sizes)
    return sizes


def month_start(today: date, back: int) -> date:
    day = today.replace(day=1)
    for _ in range(back):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def _cell(value):
    """Write NULL as \\N (COPY's default) and datetimes with microseconds (SQLite compares text)."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


class Writers:
    """One CSV file per table, opened once and closed at the end."""

    COLUMNS = {
        "partners": "id name siret status commune_insee address rural rural_overridden contact_email contact_phone "
                    "created_at",
        "users": "id email full_name password_hash role partner_id active created_at",
        "bank_accounts": "id partner_id holder_name iban bic siret status created_at reviewed_at reviewed_by_id",
        "booklets": "id campaign_id number serial status distributed_at created_at",
        "tickets": "id booklet_id campaign_id number status activated_at changed_at",
        "workshops": "id partner_id title starts_at ends_at place capacity tickets_per_participant redeemed_count "
                     "created_at",
        "redemptions": "id ticket_id booklet_id workshop_id partner_id user_id nonce amount_cents redeemed_at "
                       "scanned_at offline",
        "claims": "id partner_id period status reference total_cents submitted_at submitted_by_id line_count "
                  "flagged_count rejected_count approved_at approved_by_id batch_id paid_at paid_by_id sealed_digest "
                  "created_at",
        "claim_lines": "id claim_id kind redemption_id ticket_id amount_cents status reject_reason flags created_at",
        "payment_batches": "id reference status created_by_id total_cents claim_count requested_on executed_on "
                           "bank_reference executed_at executed_by_id created_at",
        "payments": "id batch_id claim_id partner_id bank_account_id amount_cents end_to_end_id created_at",
        "counters": "name value",
    }

    def __init__(self, folder: str):
        self.folder = folder
        self.files, self.writers, self.counts = {}, {}, {}
        for table in self.COLUMNS:
            self.files[table] = open(os.path.join(folder, f"{table}.csv"), "w", newline="", encoding="utf-8")
            self.writers[table] = csv.writer(self.files[table])
            self.counts[table] = 0

    def row(self, table: str, *values):
        self.writers[table].writerow([_cell(v) for v in values])
        self.counts[table] += 1

    def close(self):
        for f in self.files.values():
            f.close()


def generate(plan: Plan, instructor_id: int, finance_id: int, campaign_id: int) -> dict:
    """Write every table's rows; return the row counts and the partners' sizes."""
    w = Writers(plan.out)
    plan.sizes = partner_sizes(plan.partners, plan.redemptions)
    periods = [month_start(plan.today, back) for back in range(MONTHS - 1, -1, -1)]  # oldest first
    ids = {name: 0 for name in ("user", "booklet", "ticket", "workshop", "redemption", "claim", "line", "payment")}
    refs = {}
    batches = {period: {"id": i + 1, "total": 0, "count": 0} for i, period in enumerate(periods[:-2])}
    now = datetime.combine(plan.today, time(0))

    def nxt(name):
        ids[name] += 1
        return ids[name]

    for p in range(plan.partners):
        partner_id = p + 1
        siret = f"{10_000_000_000_000 + partner_id:014d}"
        w.row("partners", partner_id, f"Association {partner_id:04d}", siret, "accredited", "31555", "", "f", "f",
              f"contact@p{partner_id}.example", "", now)
        manager_id = STAFF + nxt("user")
        trainers = [STAFF + nxt("user"), STAFF + nxt("user")]
        for user_id, role in ((manager_id, "manager"), (trainers[0], "trainer"), (trainers[1], "trainer")):
            w.row("users", user_id, f"u{user_id}@p{partner_id}.example", f"Personne {user_id}", plan.password_hash,
                  role, partner_id, "t", now)
        w.row("bank_accounts", partner_id, partner_id, f"Association {partner_id:04d}", "FR7630006000011234567890189",
              "AGRIFRPP", siret, "validated", now, now, finance_id)
        size = plan.sizes[p]
        booklets = math.ceil(size / 10)
        first_booklet = ids["booklet"] + 1
        for b in range(booklets):
            booklet_id = nxt("booklet")
            w.row("booklets", booklet_id, campaign_id, booklet_id, booklet_serial(booklet_id), "distributed", now, now)
        _partner_months(w, plan, partner_id, trainers, manager_id, size, first_booklet, booklets, periods, nxt,
                        refs, batches, instructor_id, finance_id, campaign_id)
    for period, batch in batches.items():
        executed = month_start(plan.today, 0) if period == periods[-3] else _next_month(period) + timedelta(days=9)
        refs[f"batch:{executed.year}"] = refs.get(f"batch:{executed.year}", 0) + 1
        w.row("payment_batches", batch["id"], f"PN31-LOT-{executed.year}-{refs[f'batch:{executed.year}']:04d}",
              "executed", finance_id,
              batch["total"], batch["count"], executed, executed, f"VIR-{batch['id']:05d}",
              datetime.combine(executed, time(10)), finance_id, datetime.combine(executed, time(9)))
    for series, value in refs.items():
        w.row("counters", series, value)
    w.close()
    return w.counts


def _next_month(period: date) -> date:
    return (period + timedelta(days=32)).replace(day=1)


def _partner_months(w, plan, partner_id, trainers, manager_id, size, first_booklet, booklets, periods, nxt, refs,
                    batches, instructor_id, finance_id, campaign_id):
    """Write one partner's workshops, redemptions and a claim per month."""
    per_month = [size * (m + 1) // MONTHS - size * m // MONTHS for m in range(MONTHS)]
    j = 0
    for m, (period, count) in enumerate(zip(periods, per_month)):
        if count == 0:
            continue
        stage = "open" if m == MONTHS - 1 else ("last" if m == MONTHS - 2 else "paid")
        if stage == "last":
            stage = "approved" if partner_id % 10 < 3 else "submitted"
        claim_id = nxt("claim")
        lines, total, flagged, rejected = [], 0, 0, 0
        days = max(1, min(20, (plan.today - period).days)) if stage == "open" else 20
        workshop_id = None
        for k in range(count):
            if k % PER_WORKSHOP == 0:
                day = period + timedelta(days=(k // PER_WORKSHOP) % days)
                starts = datetime.combine(day, time(13))
                workshop_id = nxt("workshop")
                taken = min(PER_WORKSHOP, count - k)
                w.row("workshops", workshop_id, partner_id, "Démarches en ligne", starts, starts + timedelta(hours=3),
                      "Salle", 10, 1, taken, starts)
            booklet_id = first_booklet + j % booklets
            slot = j // booklets + 1
            ticket_id, redemption_id, line_id = nxt("ticket"), nxt("redemption"), nxt("line")
            scanned = starts + timedelta(minutes=5 + k % PER_WORKSHOP * 7)
            reject = stage == "paid" and j % 200 == 7
            flag = stage in ("submitted", "approved") and j % 50 == 3
            if stage == "paid":
                ticket_status = "redeemed" if reject else "paid"
            else:
                ticket_status = "redeemed" if stage == "open" else "claimed"
            w.row("tickets", ticket_id, booklet_id, campaign_id, booklet_id * 100 + slot, ticket_status, scanned,
                  scanned)
            w.row("redemptions", redemption_id, ticket_id, booklet_id, workshop_id, partner_id, trainers[k % 2],
                  f"b{redemption_id}", FACE, scanned, scanned, "f")
            status = LineStatus.REJECTED if reject else LineStatus.ACCEPTED
            w.row("claim_lines", line_id, claim_id, "redemption", redemption_id, ticket_id, FACE, status.value,
                  "Doublon" if reject else None, "outside_hours" if flag else None, scanned)
            lines.append((line_id, LineKind.REDEMPTION, FACE, status, ticket_id))
            total += 0 if reject else FACE
            flagged += flag
            rejected += reject
            j += 1
        _claim_row(w, plan, partner_id, claim_id, period, stage, count, total, flagged, rejected, lines, refs,
                   batches, manager_id, instructor_id, finance_id, nxt)


def _claim_row(w, plan, partner_id, claim_id, period, stage, count, total, flagged, rejected, lines, refs, batches,
               manager_id, instructor_id, finance_id, nxt):
    submitted = datetime.combine(_next_month(period), time(9)) + timedelta(minutes=partner_id)
    if stage == "open":
        w.row("claims", claim_id, partner_id, period, "open", None, total, None, None, 0, 0, 0, None, None, None,
              None, None, None, datetime.combine(period, time(0)))
        return
    series = f"claim:{submitted.year}"
    refs[series] = refs.get(series, 0) + 1
    reference = f"PN31-{submitted.year}-{refs[series]:06d}"
    approved = submitted + timedelta(days=3) if stage in ("approved", "paid") else None
    # A month whose every line was rejected is settled at zero, without a transfer.
    batch = batches.get(period) if stage == "paid" and total > 0 else None
    paid = datetime.combine(_next_month(period) + timedelta(days=9), time(10)) if stage == "paid" else None
    if batch:
        batch["total"] += total
        batch["count"] += 1
        w.row("payments", nxt("payment"), batch["id"], claim_id, partner_id, partner_id, total, reference, paid)
    w.row("claims", claim_id, partner_id, period, stage, reference, total, submitted, manager_id,
          count, flagged, rejected, approved, instructor_id if approved else None, batch["id"] if batch else None,
          paid, finance_id if batch else None, digest_of(lines, total) if paid else None,
          datetime.combine(period, time(0)))
