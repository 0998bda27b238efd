"""The command line applies the rules the pages apply, because both call the same domain functions."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import AuditEvent, Booklet, BookletStatus, Campaign, Role, TicketStatus, User

STARTS, ENDS = "2027-01-01", "2027-12-31"  # creating a campaign does not depend on today

# Each case: the command line's options and the back-office form's fields for the same bad campaign.
BAD_CAMPAIGNS = {
    "blank name": ({"--name": "   "}, {"name": "   "}),
    "name too long": ({"--name": "N" * 201}, {"name": "N" * 201}),
    "blank territory": ({"--territory": "  "}, {"territory": "  "}),
    "ends before it starts": ({"--ends": "2026-12-31"}, {"ends_on": "2026-12-31"}),
    "grace too long": ({"--grace-days": "367"}, {"grace_days": "367"}),
    "state share over 100 %": ({"--state-share-percent": "101"}, {"state_share_percent": "101"}),
    "negative budget": ({"--budget-euros": "-1"}, {"budget": "-1"}),
    "budget over a billion euros": ({"--budget-euros": "1000000001"}, {"budget": "1000000001"}),
    "face value of nothing": ({"--face-value-cents": "0"}, {"face_value": "0"}),
    "face value over 1,000 euros": ({"--face-value-cents": "100001"}, {"face_value": "1000,01"}),
}


def _cli_args(**changes):
    options = {"--name": "Pass numérique 2027", "--budget-euros": "2000", "--starts": STARTS, "--ends": ENDS}
    options.update(changes)
    return ["campaigns", "create", *[part for pair in options.items() for part in pair]]


def _form(**changes):
    values = {"name": "Pass numérique 2027", "territory": "Haute-Garonne", "budget": "2000", "face_value": "10",
              "starts_on": STARTS, "ends_on": ENDS, "grace_days": "31", "state_share_percent": "50"}
    values.update(changes)
    return values


def _campaigns() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar_one()


def _refused_cleanly(result) -> bool:
    """A refusal is an exit code and a message, never a traceback from the database."""
    return result.exit_code != 0 and (result.exception is None or isinstance(result.exception, SystemExit))


@pytest.mark.parametrize("case", BAD_CAMPAIGNS)
def test_campaigns_create_refuses_what_the_back_office_form_refuses(app, factory, login, runner, case):
    options, fields = BAD_CAMPAIGNS[case]
    page = login(factory.user(Role.INSTRUCTOR)).form("/bo/campaigns/new", _form(**fields))
    assert page.status_code == 200 and _campaigns() == 0  # the form is shown again, with what to fix
    result = runner.invoke(args=_cli_args(**options))
    assert _refused_cleanly(result), result.output
    assert "Error" in result.output and _campaigns() == 0


def test_campaigns_create_records_what_the_back_office_records(app, runner):
    result = runner.invoke(args=_cli_args(**{"--name": "  Pass numérique 2027 ", "--state-share-percent": "60"}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["name"] == "Pass numérique 2027"
    campaign = db.session.execute(sa.select(Campaign)).scalar_one()
    assert (campaign.name, campaign.budget_cents, campaign.state_share_percent) == ("Pass numérique 2027", 200_000, 60)
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "campaign.created")).scalar_one()
    assert json.loads(event.after)["state_share_percent"] == 60 and event.actor_label == "cli"


@pytest.mark.parametrize("options, hint", [
    (["--email", "not-an-address", "--password", "long-enough-pw", "--role", "finance"], "--email"),
    (["--email", "p@cd31.example", "--password", "x" * 201, "--role", "finance"], "--password"),
    (["--email", "p@cd31.example", "--password", "long-enough-pw", "--role", "finance", "--partner", "1"],
     "--partner"),
    (["--email", "p@cd31.example", "--password", "long-enough-pw", "--role", "trainer", "--partner", "999"],
     "--partner"),
])
def test_users_create_refuses_what_an_invitation_refuses(app, factory, runner, options, hint):
    factory.partner()
    result = runner.invoke(args=["users", "create", *options])
    assert _refused_cleanly(result) and hint in result.output, result.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 0


def test_booklets_oppose_refuses_a_reason_longer_than_the_page_takes(app, factory, login, runner):
    booklet = factory.booklet()
    reason = "perdu " * 51  # 306 characters: the page's field takes 300
    page = login(factory.user(Role.INSTRUCTOR)).form(f"/bo/booklets/{booklet.id}/oppose", {"reason": reason})
    assert page.status_code == 302
    result = runner.invoke(args=["booklets", "oppose", booklet.serial, "--reason", reason])
    assert _refused_cleanly(result) and "--reason" in result.output, result.output
    db.session.expire_all()
    booklet = db.session.get(Booklet, booklet.id)
    assert booklet.status == BookletStatus.DISTRIBUTED
    assert {t.status for t in booklet.tickets} == {TicketStatus.ACTIVE}


@pytest.mark.parametrize("days", [-400, 30])  # a campaign over, one not started yet
def test_booklets_distribute_refuses_a_booklet_whose_campaign_is_not_running(app, factory, runner, days):
    starts = local_today() + timedelta(days=days)
    campaign = factory.campaign(starts_on=starts, ends_on=starts + timedelta(days=300 if days > 0 else 30))
    booklet = factory.booklet(campaign, distributed=False)
    result = runner.invoke(args=["booklets", "distribute", booklet.serial])
    assert _refused_cleanly(result) and "n'est pas en cours" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Booklet, booklet.id).status == BookletStatus.ISSUED


def test_the_campaign_form_explains_a_state_share_over_100_percent(app, factory, login):
    page = login(factory.user(Role.INSTRUCTOR)).form("/bo/campaigns/new", _form(state_share_percent="101"))
    assert page.status_code == 200 and "De 0 à 100 %." in page.get_data(as_text=True)
