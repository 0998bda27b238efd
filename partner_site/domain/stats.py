"""The dashboard's figures, as tables that the page draws and the CSV exports write alike.

Every figure is one aggregate query (GROUP BY in the database), so the dashboard stays usable
with a country's worth of tickets. Amounts are integer cents.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..labels import PRIORITY_PUBLICS
from ..models import (
    Booklet,
    BookletAssignment,
    Campaign,
    Partner,
    PartnerStatus,
    Redemption,
    RequestPublic,
    Ticket,
    TicketStatus,
)
from . import reception
from .clock import local_today, to_local, to_utc_naive

USED = (TicketStatus.REDEEMED, TicketStatus.CLAIMED, TicketStatus.PAID)
COMMITTED = (TicketStatus.ACTIVE, *USED)


@dataclass
class Column:
    key: str
    label: object
    kind: str = "text"  # text, int, money, percent


@dataclass
class Table:
    name: str
    title: object
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: object = ""


def _ticket_counts(campaign_id):
    """Return {campaign_id: {"issued", "handed_out", "committed", "redeemed", "paid"}} ticket counts."""
    handed = sa.case((Ticket.activated_at.is_not(None), 1), else_=0)
    query = (sa.select(Ticket.campaign_id, Ticket.status, sa.func.count(), sa.func.sum(handed))
             .group_by(Ticket.campaign_id, Ticket.status))
    if campaign_id:
        query = query.where(Ticket.campaign_id == campaign_id)
    out: dict = {}
    for cid, status, count, handed_count in db.session.execute(query):
        row = out.setdefault(cid, dict.fromkeys(("issued", "handed_out", "committed", "redeemed", "paid"), 0))
        row["issued"] += count
        row["handed_out"] += handed_count or 0
        row["committed"] += count if status in COMMITTED else 0
        row["redeemed"] += count if status in USED else 0
        row["paid"] += count if status == TicketStatus.PAID else 0
    return out


def _amounts(campaign_id):
    """Return {campaign_id: (redeemed cents, paid cents)} from live redemptions."""
    paid = sa.case((Ticket.status == TicketStatus.PAID, Redemption.amount_cents), else_=0)
    query = (sa.select(Ticket.campaign_id, sa.func.sum(Redemption.amount_cents), sa.func.sum(paid))
             .select_from(Redemption).join(Ticket, Redemption.ticket_id == Ticket.id)
             .where(Redemption.voided_at.is_(None)).group_by(Ticket.campaign_id))
    if campaign_id:
        query = query.where(Ticket.campaign_id == campaign_id)
    return {cid: (redeemed or 0, paid_cents or 0) for cid, redeemed, paid_cents in db.session.execute(query)}


def _campaigns(campaign_id) -> list[Campaign]:
    query = sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id)
    if campaign_id:
        query = query.where(Campaign.id == campaign_id)
    return list(db.session.execute(query).scalars())


def budget(campaign_id=None) -> Table:
    """Budget, co-funding shares, and what is issued, committed, redeemed and paid, per campaign."""
    counts, amounts = _ticket_counts(campaign_id), _amounts(campaign_id)
    table = Table("budget", _l("Budget par campagne"), [
        Column("campaign", _l("Campagne")), Column("budget", _l("Budget"), "money"),
        Column("state_share", _l("Part État"), "money"), Column("department_share", _l("Part Département"), "money"),
        Column("issued", _l("Émis"), "money"), Column("committed", _l("Engagé (remis)"), "money"),
        Column("redeemed", _l("Validé"), "money"), Column("paid", _l("Payé"), "money"),
        Column("available", _l("Reste à émettre"), "money")],
        note=_l("Engagé : valeur des tickets remis aux bénéficiaires, utilisables ou utilisés."))
    for campaign in _campaigns(campaign_id):
        c = counts.get(campaign.id, {})
        redeemed, paid = amounts.get(campaign.id, (0, 0))
        state = campaign.budget_cents * campaign.state_share_percent // 100
        table.rows.append({"campaign": campaign.name, "budget": campaign.budget_cents, "state_share": state,
                           "department_share": campaign.budget_cents - state, "issued": campaign.issued_cents,
                           "committed": c.get("committed", 0) * campaign.face_value_cents,
                           "redeemed": redeemed, "paid": paid,
                           "available": campaign.budget_cents - campaign.issued_cents})
    return table


def funnel(campaign_id=None) -> Table:
    """Tickets issued, handed out, redeemed and paid: how far the money has gone."""
    counts = _ticket_counts(campaign_id)
    faces = {c.id: c.face_value_cents for c in _campaigns(campaign_id)}
    stages = [("issued", _l("Émis")), ("handed_out", _l("Remis aux bénéficiaires")),
              ("redeemed", _l("Validés en atelier")), ("paid", _l("Payés aux structures"))]
    total = sum(c["issued"] for c in counts.values())
    table = Table("funnel", _l("Du ticket émis au ticket payé"), [
        Column("stage", _l("Étape")), Column("tickets", _l("Tickets"), "int"), Column("value", _l("Valeur"), "money"),
        Column("share", _l("Part des émis"), "percent")])
    for key, label in stages:
        tickets = sum(c[key] for c in counts.values())
        value = sum(c[key] * faces.get(cid, 0) for cid, c in counts.items())
        table.rows.append({"stage": label, "tickets": tickets, "value": value,
                           "share": round(100 * tickets / total, 1) if total else 0})
    return table


def _months(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last and len(months) < 120:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def monthly(campaign_id=None, today: date | None = None) -> Table:
    """Validations per month (Paris time), over the campaign's life or the last 24 months."""
    today = today or local_today()
    campaigns = _campaigns(campaign_id)
    if campaign_id and campaigns:
        first, last = campaigns[0].starts_on, min(campaigns[0].valid_until, today)
    else:  # from the first validation, over 24 months at most
        back = today.year * 12 + today.month - 1 - 23
        first_scan = db.session.execute(sa.select(sa.func.min(Redemption.scanned_at))
                                        .where(Redemption.voided_at.is_(None))).scalar()
        first = max(date(back // 12, back % 12 + 1, 1), to_local(first_scan).date() if first_scan else today)
        last = today
    months = _months(first, max(first, last))
    bounds = [to_utc_naive(datetime.combine(m, time())) for m in months[1:]]
    bucket = sa.case(*[(Redemption.scanned_at < b, i) for i, b in enumerate(bounds)], else_=len(bounds)) \
        if bounds else sa.literal(0)
    query = (sa.select(bucket, sa.func.count(), sa.func.sum(Redemption.amount_cents))
             .select_from(Redemption).where(Redemption.voided_at.is_(None),
                                            Redemption.scanned_at >= to_utc_naive(datetime.combine(months[0], time())))
             .group_by(bucket))
    if campaign_id:
        query = query.join(Ticket, Redemption.ticket_id == Ticket.id).where(Ticket.campaign_id == campaign_id)
    found = {i: (n, cents) for i, n, cents in db.session.execute(query)}
    table = Table("monthly", _l("Validations par mois"), [
        Column("month", _l("Mois")), Column("validations", _l("Validations"), "int"),
        Column("amount", _l("Montant"), "money")])
    for i, month in enumerate(months):
        n, cents = found.get(i, (0, 0))
        table.rows.append({"month": month.strftime("%m/%Y"), "validations": n, "amount": cents or 0})
    return table


def by_public(campaign_id=None) -> Table:
    """Requests, booklets handed out and tickets redeemed per priority public."""
    assigned = (sa.select(RequestPublic.public, sa.func.count(sa.distinct(RequestPublic.request_id)),
                          sa.func.count(BookletAssignment.id))
                .select_from(RequestPublic)
                .join(BookletAssignment, BookletAssignment.request_id == RequestPublic.request_id)
                .join(Booklet, Booklet.id == BookletAssignment.booklet_id).group_by(RequestPublic.public))
    used = (sa.select(RequestPublic.public, sa.func.count(Redemption.id), sa.func.sum(Redemption.amount_cents))
            .select_from(RequestPublic)
            .join(BookletAssignment, BookletAssignment.request_id == RequestPublic.request_id)
            .join(Booklet, Booklet.id == BookletAssignment.booklet_id)
            .join(Redemption, Redemption.booklet_id == Booklet.id)
            .where(Redemption.voided_at.is_(None)).group_by(RequestPublic.public))
    requests = sa.select(RequestPublic.public, sa.func.count()).group_by(RequestPublic.public)
    if campaign_id:
        assigned = assigned.where(Booklet.campaign_id == campaign_id)
        used = used.where(Booklet.campaign_id == campaign_id)
    a = {p: (people, booklets) for p, people, booklets in db.session.execute(assigned)}
    u = {p: (n, cents) for p, n, cents in db.session.execute(used)}
    r = dict(db.session.execute(requests).all())
    table = Table("publics", _l("Par public prioritaire"), [
        Column("public", _l("Public")), Column("requests", _l("Demandes"), "int"),
        Column("people", _l("Personnes équipées"), "int"), Column("booklets", _l("Carnets remis"), "int"),
        Column("validations", _l("Tickets validés"), "int"), Column("amount", _l("Montant validé"), "money")],
        note=_l("Une personne peut relever de plusieurs publics : les colonnes ne s'additionnent pas."))
    for public, label in PRIORITY_PUBLICS.items():
        people, booklets = a.get(public, (0, 0))
        n, cents = u.get(public, (0, 0))
        table.rows.append({"public": label, "requests": r.get(public, 0), "people": people, "booklets": booklets,
                           "validations": n, "amount": cents or 0})
    return table


def _by_partner_query(campaign_id):
    paid = sa.case((Ticket.status == TicketStatus.PAID, Redemption.amount_cents), else_=0)
    query = (sa.select(Redemption.partner_id, sa.func.count(Redemption.id), sa.func.sum(Redemption.amount_cents),
                       sa.func.sum(paid))
             .select_from(Redemption).join(Ticket, Redemption.ticket_id == Ticket.id)
             .where(Redemption.voided_at.is_(None)).group_by(Redemption.partner_id))
    if campaign_id:
        query = query.where(Ticket.campaign_id == campaign_id)
    return {pid: (n, cents or 0, paid_cents or 0) for pid, n, cents, paid_cents in db.session.execute(query)}


def by_partner(campaign_id=None) -> Table:
    """Validations, amounts validated and paid per partner, largest first."""
    from .communes import commune

    figures = _by_partner_query(campaign_id)
    table = Table("partners", _l("Par structure"), [
        Column("partner", _l("Structure")), Column("siret", _l("SIRET")), Column("commune", _l("Commune")),
        Column("area", _l("Territoire")), Column("validations", _l("Validations"), "int"),
        Column("amount", _l("Montant validé"), "money"), Column("paid", _l("Montant payé"), "money")])
    partners = db.session.execute(sa.select(Partner).where(
        sa.or_(Partner.status != PartnerStatus.APPLIED, Partner.id.in_(list(figures) or [0])))).scalars()
    for partner in partners:
        n, cents, paid = figures.get(partner.id, (0, 0, 0))
        place = commune(partner.commune_insee)
        table.rows.append({"partner": partner.name, "siret": partner.siret, "commune": place.name if place else "",
                           "area": _l("Rural") if partner.rural else _l("Urbain"), "validations": n,
                           "amount": cents, "paid": paid})
    table.rows.sort(key=lambda r: (-r["amount"], str(r["partner"])))
    return table


def rural_urban(campaign_id=None) -> Table:
    """Accredited partners and their validations, rural against urban."""
    figures = _by_partner_query(campaign_id)
    rows = {True: {"partners": 0, "validations": 0, "amount": 0}, False: {"partners": 0, "validations": 0, "amount": 0}}
    for pid, rural, status in db.session.execute(sa.select(Partner.id, Partner.rural, Partner.status)):
        n, cents, _paid = figures.get(pid, (0, 0, 0))
        rows[rural]["partners"] += status == PartnerStatus.ACCREDITED
        rows[rural]["validations"] += n
        rows[rural]["amount"] += cents
    table = Table("rural", _l("Structures rurales et urbaines"), [
        Column("area", _l("Territoire")), Column("partners", _l("Structures habilitées"), "int"),
        Column("validations", _l("Validations"), "int"), Column("amount", _l("Montant validé"), "money")],
        note=_l("Rurale : commune de moins de 2 000 habitants (règle Insee), sauf correction par le Département."))
    table.rows = [{"area": _l("Rural"), **rows[True]}, {"area": _l("Urbain"), **rows[False]}]
    return table


def stock(campaign_id=None) -> Table:
    """Booklets per reception point: issued, handed out, started (a ticket validated), in stock, opposed."""
    table = Table("stock", _l("Carnets par point d'accueil"), [
        Column("point", _l("Point d'accueil")), Column("issued", _l("Émis"), "int"),
        Column("handed_out", _l("Remis"), "int"), Column("started", _l("Entamés"), "int"),
        Column("in_stock", _l("En stock"), "int"),
        Column("opposed", _l("En opposition"), "int")])
    table.rows = reception.stock(campaign_id)
    return table


TABLES = {"budget": budget, "funnel": funnel, "monthly": monthly, "publics": by_public, "partners": by_partner,
          "rural": rural_urban, "stock": stock}
