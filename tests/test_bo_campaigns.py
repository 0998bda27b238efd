"""Campaigns in the back office: create, edit within the budget's rules, generate, dispatch, expire, report."""
import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import AuditEvent, Booklet, Campaign, Role, Ticket, TicketStatus

from .bo_helpers import point


def _form(**kw):
    today = local_today()
    values = {"name": "Pass numérique 2022", "territory": "Haute-Garonne", "budget": "2 000,00", "face_value": "10",
              "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=200)).isoformat(),
              "grace_days": "31", "state_share_percent": "60"}
    values.update(kw)
    return values


def test_an_instructor_creates_a_campaign_with_its_shares_and_grace(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    response = client.form("/bo/campaigns/new", _form())
    assert response.status_code == 302
    campaign = db.session.execute(sa.select(Campaign)).scalar_one()
    assert (campaign.budget_cents, campaign.face_value_cents, campaign.state_share_percent, campaign.grace_days) == (
        200_000, 1000, 60, 31)
    page = client.get(f"/bo/campaigns/{campaign.id}").get_data(as_text=True)
    assert "État 60 %, Département 40 %" in page
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "campaign.created")).scalar_one()


def test_a_campaign_ending_before_it_starts_is_refused_with_a_message(app, factory, login):
    client = login(factory.user(Role.INSTRUCTOR))
    today = local_today()
    response = client.form("/bo/campaigns/new", _form(ends_on=(today - timedelta(days=1)).isoformat()))
    assert response.status_code == 200
    assert "La fin de validité doit suivre son début." in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Campaign)).scalar() == 0


def test_generating_beyond_the_budget_is_refused_and_changes_nothing(app, factory, login):
    campaign = factory.campaign(budget_cents=25_000, face_value_cents=1000)  # 2.5 booklets' worth
    client = login(factory.user(Role.INSTRUCTOR))
    generate = {"count": "2", "reception_point": "0"}
    assert client.form(f"/bo/campaigns/{campaign.id}/generate", generate).status_code == 302
    response = client.form(f"/bo/campaigns/{campaign.id}/generate", {"count": "1", "reception_point": "0"},
                           follow_redirects=True)
    assert "Budget insuffisant" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).issued_cents == 20_000
    assert db.session.execute(sa.select(sa.func.count()).select_from(Booklet)).scalar() == 2


def test_face_value_is_frozen_and_budget_cannot_drop_below_what_is_issued(app, factory, login):
    campaign = factory.campaign(budget_cents=100_000, face_value_cents=1000)
    factory.booklet(campaign, distributed=False)
    client = login(factory.user(Role.INSTRUCTOR))
    values = _form(name=campaign.name, starts_on=campaign.starts_on.isoformat(), ends_on=campaign.ends_on.isoformat())
    page = client.form(f"/bo/campaigns/{campaign.id}/edit", {**values, "face_value": "12", "budget": "1000"})
    assert "la valeur faciale ne peut plus changer" in page.get_data(as_text=True)
    page = client.form(f"/bo/campaigns/{campaign.id}/edit", {**values, "face_value": "10", "budget": "50"})
    assert "Le budget ne peut pas descendre" in page.get_data(as_text=True)
    assert client.form(f"/bo/campaigns/{campaign.id}/edit", {**values, "face_value": "10", "budget": "100"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).budget_cents == 10_000


def test_booklets_are_dispatched_to_a_reception_point_and_counted_in_its_stock(app, factory, login):
    campaign = factory.campaign()
    where = point()
    client = login(factory.user(Role.INSTRUCTOR))
    client.form(f"/bo/campaigns/{campaign.id}/generate", {"count": "5", "reception_point": "0"})
    response = client.form(f"/bo/campaigns/{campaign.id}/dispatch",
                           {"count": "3", "from_point": "0", "to_point": str(where.id)}, follow_redirects=True)
    assert "3 carnet(s) envoyé(s)" in response.get_data(as_text=True)
    too_many = client.form(f"/bo/campaigns/{campaign.id}/dispatch",
                           {"count": "3", "from_point": "0", "to_point": str(where.id)}, follow_redirects=True)
    assert "Stock insuffisant : 2 carnet(s)" in too_many.get_data(as_text=True)
    stock = client.get(f"/bo/dashboard/stock.csv?campaign={campaign.id}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(stock.lstrip("\ufeff"))))
    assert [where.name, "3", "0", "0", "3", "0"] in rows
    assert ["Non affectés (siège)", "2", "0", "0", "2", "0"] in rows


def test_the_dashboard_warns_30_days_before_a_campaign_ends(app, factory, login):
    today = local_today()
    factory.campaign(name="Bientôt finie", ends_on=today + timedelta(days=20))
    factory.campaign(name="Loin de finir", ends_on=today + timedelta(days=90))
    factory.campaign(name="En tolérance", starts_on=today - timedelta(days=100), ends_on=today - timedelta(days=5),
                     grace_days=31)
    page = login(factory.user(Role.FINANCE)).get("/bo/").get_data(as_text=True)
    assert "« Bientôt finie » se termine dans 20 jour(s)" in page
    assert "Loin de finir » se termine" not in page
    assert "« En tolérance » est terminée : ses tickets sont encore acceptés pendant 26 jour(s)" in page


def test_after_end_plus_grace_unused_tickets_expire_and_are_reported(app, factory, login, api, runner):
    today = local_today()
    campaign = factory.campaign(starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=40),
                                grace_days=31)
    handed = factory.booklet(campaign, distributed=True)
    factory.booklet(campaign, distributed=False)
    partner = factory.partner()
    refused = api(factory.user(Role.TRAINER, partner)).redeem(factory.workshop(partner), handed.tickets[0])
    assert refused.get_json()["reason"] == "expired"

    client = login(factory.user(Role.INSTRUCTOR))
    report = client.get(f"/bo/campaigns/{campaign.id}/report").get_data(as_text=True)
    assert "Tickets non utilisés" in report and "200,00" in report
    response = client.form(f"/bo/campaigns/{campaign.id}/expire", {}, follow_redirects=True)
    assert "20 ticket(s) non utilisé(s) marqué(s) expiré(s)" in response.get_data(as_text=True)
    statuses = set(db.session.execute(sa.select(Ticket.status).where(Ticket.campaign_id == campaign.id)).scalars())
    assert statuses == {TicketStatus.EXPIRED}
    lines = client.get(f"/bo/campaigns/{campaign.id}/unused.csv").get_data(as_text=True).splitlines()
    assert len(lines) == 21 and lines[1].endswith(",Expiré,00000018,,oui")


def test_a_running_campaign_cannot_be_expired(app, factory, runner):
    campaign = factory.campaign()
    result = runner.invoke(args=["campaigns", "expire", "--campaign", str(campaign.id)])
    assert result.exit_code != 0 and "ne peuvent pas encore expirer" in result.output
