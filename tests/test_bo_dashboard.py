"""The dashboard's figures checked against a known history, its CSV exports, and the audit log viewer."""
import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import stats
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import Role, Ticket, TicketStatus

from .bo_helpers import assigned_request, instructor, point


def _rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _history(factory, api):
    """Two booklets handed out (one to a young adult), one in stock; 3 validations, 1 of them paid."""
    where = point()
    staff = instructor(factory)
    campaign = factory.campaign(budget_cents=100_000, face_value_cents=1000, state_share_percent=60)
    young = assigned_request(factory, staff, where, campaign, publics=("young_adult",))
    assigned_request(factory, staff, where, campaign, publics=("non_french_speaker", "young_adult"))
    factory.booklet(campaign, distributed=False)
    rural = factory.partner(name="Rurale", commune_insee="31020", rural=True)
    urban = factory.partner(name="Urbaine", commune_insee="31555", rural=False)
    booklet = young.assignments[0].booklet
    api(factory.user(Role.TRAINER, rural)).redeem(factory.workshop(rural), booklet.tickets[0])
    api(factory.user(Role.TRAINER, rural)).redeem(factory.workshop(rural, title="Deux"), booklet.tickets[1])
    api(factory.user(Role.TRAINER, urban)).redeem(factory.workshop(urban), booklet.tickets[2])
    db.session.execute(sa.update(Ticket).where(Ticket.id == booklet.tickets[2].id).values(status=TicketStatus.PAID))
    db.session.commit()
    return campaign


def test_the_figures_follow_the_tickets_from_issue_to_payment(app, factory, api):
    campaign = _history(factory, api)
    (budget,) = stats.budget(campaign.id).rows
    assert budget == {"campaign": campaign.name, "budget": 100_000, "state_share": 60_000, "department_share": 40_000,
                      "issued": 30_000, "committed": 20_000, "redeemed": 3_000, "paid": 1_000, "available": 70_000}
    funnel = {str(r["stage"]): r["tickets"] for r in stats.funnel(campaign.id).rows}
    assert list(funnel.values()) == [30, 20, 3, 1]
    month = local_today().strftime("%m/%Y")
    assert {r["month"]: r["validations"] for r in stats.monthly(campaign.id).rows}[month] == 3
    publics = {str(r["public"]): r for r in stats.by_public(campaign.id).rows}
    young = publics["Jeune adulte, diplômé ou non"]
    assert (young["requests"], young["people"], young["booklets"], young["validations"]) == (2, 2, 2, 3)
    assert publics["Ne maîtrise pas le français (allophone)"]["validations"] == 0
    partners = {r["partner"]: r for r in stats.by_partner(campaign.id).rows}
    assert (partners["Rurale"]["validations"], partners["Urbaine"]["paid"]) == (2, 1000)
    stock = {r["point"]: r for r in stats.stock(campaign.id).rows}["MDS de Saint-Gaudens"]
    assert (stock["issued"], stock["handed_out"], stock["started"], stock["in_stock"]) == (2, 2, 1, 0)
    rural = {str(r["area"]): r for r in stats.rural_urban(campaign.id).rows}
    assert (rural["Rural"]["amount"], rural["Urbain"]["amount"]) == (2000, 1000)


def test_each_dashboard_table_exports_as_csv_for_the_state(app, factory, api, login):
    campaign = _history(factory, api)
    client = login(factory.user(Role.FINANCE))
    page = client.get(f"/bo/?campaign={campaign.id}").get_data(as_text=True)
    assert page.count("<svg") == 4 and "Du ticket émis au ticket payé" in page
    for name in stats.TABLES:
        response = client.get(f"/bo/dashboard/{name}.csv?campaign={campaign.id}")
        assert response.status_code == 200 and response.mimetype == "text/csv", name
        assert len(_rows(response)) >= 2, name
    budget = _rows(client.get(f"/bo/dashboard/budget.csv?campaign={campaign.id}"))
    assert budget[0][:3] == ["Campagne", "Budget (€)", "Part État (€)"]
    assert budget[1][1:] == ["1000.00", "600.00", "400.00", "300.00", "200.00", "30.00", "10.00", "700.00"]
    assert client.get("/bo/dashboard/nothing.csv").status_code == 404
    assert client.get("/bo/?campaign=999").status_code == 404


def test_the_monthly_chart_puts_a_validation_in_its_paris_month(app, factory):
    from datetime import datetime

    from partner_site.domain.clock import to_utc_naive
    from partner_site.models import Redemption

    campaign = factory.campaign(starts_on=local_today() - timedelta(days=90))
    ticket = factory.tickets(campaign)[0]
    partner = factory.partner()
    user = factory.user(Role.TRAINER, partner)
    workshop = factory.workshop(partner)
    first_of_month = local_today().replace(day=1)
    # 00:30 in Paris on the 1st is still the previous month in UTC: it belongs to this month.
    at = to_utc_naive(datetime.combine(first_of_month, datetime.min.time()).replace(minute=30))
    db.session.add(Redemption(ticket_id=ticket.id, booklet_id=ticket.booklet_id, workshop_id=workshop.id,
                              partner_id=partner.id, user_id=user.id, nonce="n" * 20, amount_cents=1000,
                              redeemed_at=at, scanned_at=at))
    db.session.commit()
    months = {r["month"]: r["validations"] for r in stats.monthly(campaign.id).rows}
    assert months[first_of_month.strftime("%m/%Y")] == 1
    assert sum(months.values()) == 1


def test_the_audit_log_filters_by_actor_object_and_date(app, factory, login):
    partner = factory.partner()
    ines = factory.user(Role.INSTRUCTOR, email="ines@cd31.example")
    client = login(ines)
    client.form(f"/bo/partners/{partner.id}/status", {"target": "suspended", "reason": "Contrôle"})
    login(factory.user(Role.INSTRUCTOR, email="paul@cd31.example")).form(
        f"/bo/partners/{partner.id}/rural", {"rural": "urban"})
    page = client.get(f"/bo/audit?actor=ines&object_type=partner&object_id={partner.id}").get_data(as_text=True)
    assert "partner.suspended" in page and "partner.rural_set" not in page
    page = client.get("/bo/audit?action=partner.rural").get_data(as_text=True)
    assert "paul@cd31.example" in page and "partner.suspended" not in page
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert "Aucun événement" in client.get(f"/bo/audit?date_from={tomorrow}").get_data(as_text=True)
    assert "partner.suspended" in client.get(f"/bo/audit?date_to={local_today().isoformat()}").get_data(as_text=True)
    rows = _rows(client.get("/bo/audit.csv?actor=ines&action=partner."))
    assert rows[0][:4] == ["id", "utc_time", "actor", "action"] and [r[3] for r in rows[1:]] == ["partner.suspended"]
    assert client.get("/bo/audit?date_from=not-a-date").status_code == 200  # ignored, not a 500
