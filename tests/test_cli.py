"""The admin CLI under `flask --app wsgi`, through Flask's CLI runner on a real database."""
import csv
import io
import json

import pytest
import sqlalchemy as sa

from partner_site.cli import booklets_cli, campaigns_cli, demo_command, keys_cli, users_cli
from partner_site.domain import codes
from partner_site.extensions import db
from partner_site.models import AuditEvent, Booklet, BookletStatus, Campaign, User


def invoke(runner, command, *args):
    result = runner.invoke(command, list(args))
    return result


@pytest.mark.parametrize("command", [users_cli, campaigns_cli, booklets_cli, keys_cli, demo_command])
def test_every_command_group_has_help(runner, command):
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_demo_is_idempotent_and_prints_json_only(runner):
    first = invoke(runner, demo_command, "--json")
    assert first.exit_code == 0, first.output
    info = json.loads(first.output)
    second = json.loads(invoke(runner, demo_command, "--json").output)
    assert info["campaign_id"] == second["campaign_id"]
    assert len(info["users"]) == len(second["users"])
    assert db.session.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar() == 2
    campaign = db.session.get(Campaign, info["campaign_id"])
    assert campaign.name == "Pass numérique Haute-Garonne 2021"
    assert campaign.budget_cents == 222_000_00 and campaign.face_value_cents == 1000
    roles = {u["role"] for u in info["users"]}
    assert roles == {"admin", "instructor", "finance", "manager", "trainer"}
    assert all({"email", "password", "role", "partner_id"} <= set(u) for u in info["users"])
    assert sum(p["rural"] for p in info["partners"]) > len(info["partners"]) / 2
    assert {w["partner_id"] for w in info["workshops"]} == {p["id"] for p in info["partners"]}
    statuses = set(db.session.execute(sa.select(Booklet.status).distinct()).scalars())
    assert statuses == {BookletStatus.ISSUED, BookletStatus.DISTRIBUTED, BookletStatus.CANCELLED}


def test_users_create_checks_roles_and_partners(runner, factory):
    ok = invoke(runner, users_cli, "create", "--email", "Ines@CD31.fr", "--password", "long-enough-pw", "--role", "instructor")
    assert ok.exit_code == 0, ok.output
    assert db.session.execute(sa.select(User).where(User.email == "ines@cd31.fr")).scalar_one().role.value == "instructor"
    trainer_without_partner = invoke(runner, users_cli, "create", "--email", "t@x.fr", "--password", "long-enough-pw",
                                     "--role", "trainer")
    assert trainer_without_partner.exit_code != 0 and "--partner" in trainer_without_partner.output
    duplicate = invoke(runner, users_cli, "create", "--email", "ines@cd31.fr", "--password", "long-enough-pw",
                       "--role", "finance")
    assert duplicate.exit_code != 0


def test_campaign_booklets_export_distribute_and_oppose(runner, app):
    created = invoke(runner, campaigns_cli, "create", "--name", "Test", "--budget-euros", "300",
                     "--starts", "2026-01-01", "--ends", "2030-12-31")
    campaign_id = json.loads(created.output)["id"]
    generated = invoke(runner, booklets_cli, "generate", "--campaign", str(campaign_id), "--count", "3")
    assert generated.exit_code == 0, generated.output
    over = invoke(runner, booklets_cli, "generate", "--campaign", str(campaign_id), "--count", "1")
    assert over.exit_code != 0 and "Budget insuffisant" in over.output  # 3 x 10 x 10 EUR = 300 EUR
    db.session.expire_all()
    assert db.session.get(Campaign, campaign_id).issued_cents == 300_00
    serials = list(db.session.execute(sa.select(Booklet.serial).order_by(Booklet.number)).scalars())
    assert invoke(runner, booklets_cli, "distribute", serials[0]).exit_code == 0
    opposed = invoke(runner, booklets_cli, "oppose", serials[1], "--reason", "volé")
    assert opposed.exit_code == 0 and json.loads(opposed.output)["tickets_cancelled"] == 10
    bad = invoke(runner, booklets_cli, "distribute", "12345678")
    assert bad.exit_code != 0
    exported = invoke(runner, booklets_cli, "export", "--campaign", str(campaign_id))
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert list(rows[0]) == ["serial", "check_code", "code", "booklet", "status"]
    assert len(rows) == 30
    assert [r["status"] for r in rows].count("active") == 10
    assert [r["status"] for r in rows].count("cancelled") == 10
    assert [r["status"] for r in rows].count("issued") == 10
    keyring = app.extensions["keyring"]
    for row in rows[:3]:
        number = codes.verify_code(row["code"], keyring.public_keys()).ticket_number
        assert codes.ticket_serial(number) == row["serial"]
        assert codes.check_code_matches(keyring.check_code_secret(), number, row["check_code"])
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "booklet.cancelled")).scalar() == 1


def test_keys_rotate_adds_a_key_and_the_api_publishes_both(runner, client):
    before = client.get("/api/v1/keys").get_json()["keys"]
    rotated = invoke(runner, keys_cli, "rotate")
    assert rotated.exit_code == 0
    after = client.get("/api/v1/keys").get_json()["keys"]
    assert len(after) == len(before) + 1
    assert [k["active"] for k in after].count(True) == 1
    assert all("private" not in k for k in after)
    assert invoke(runner, keys_cli, "retire", str(json.loads(rotated.output)["active_kid"])).exit_code != 0
