"""Campaigns: create and edit within the rules that protect the budget; expiry and its report."""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Booklet, Campaign, ReceptionPoint, Ticket, TicketStatus, record, utcnow
from .errors import DomainError

EXPIRY_ALERT_DAYS = 30
MAX_BUDGET_CENTS = 1_000_000_000_00  # one billion euros: anything above is a typing mistake
MAX_FACE_VALUE_CENTS = 1_000_00  # a ticket pays one workshop; the column holds ~21 million euros at most
UNUSED = (TicketStatus.ISSUED, TicketStatus.ACTIVE)
FIELDS = ("name", "territory", "budget_cents", "face_value_cents", "starts_on", "ends_on", "grace_days",
          "state_share_percent")


def _check(values: dict, campaign: Campaign | None) -> None:
    name = (values.get("name") or "").strip()
    if not name or len(name) > 200:
        raise DomainError("bad_request", _("Donnez un nom à la campagne (200 caractères au plus)."), field="name")
    territory = (values.get("territory") or "").strip()
    if not territory or len(territory) > 100:
        raise DomainError("bad_request", _("Indiquez le territoire (100 caractères au plus)."), field="territory")
    if values["ends_on"] < values["starts_on"]:
        raise DomainError("bad_request", _("La fin de validité doit suivre son début."), field="ends_on")
    if not 0 <= values["grace_days"] <= 366:
        raise DomainError("bad_request", _("Délai de tolérance : de 0 à 366 jours."), field="grace_days")
    if not 0 <= values["state_share_percent"] <= 100:
        raise DomainError("bad_request", _("Part de l'État : de 0 à 100 %."), field="state_share_percent")
    if values["face_value_cents"] <= 0 or values["budget_cents"] < 0:
        raise DomainError("bad_request", _("Budget et valeur faciale doivent être positifs."), field="budget_cents")
    if values["budget_cents"] > MAX_BUDGET_CENTS:
        raise DomainError("bad_request", _("Budget hors limites (1 milliard d'euros au plus)."), field="budget_cents")
    if values["face_value_cents"] > MAX_FACE_VALUE_CENTS:
        raise DomainError("bad_request", _("Valeur faciale hors limites (1 000 € au plus par ticket)."),
                          field="face_value_cents")
    if campaign is not None and campaign.issued_cents:
        if values["face_value_cents"] != campaign.face_value_cents:
            raise DomainError("bad_request", _("Des carnets sont déjà émis : la valeur faciale ne peut plus changer."),
                              field="face_value_cents")
        if values["budget_cents"] < campaign.issued_cents:
            raise DomainError("bad_request", _("Le budget ne peut pas descendre sous la valeur des tickets déjà émis "
                                               "(%(issued)s centimes).", issued=campaign.issued_cents),
                              field="budget_cents")


def create(actor, **values) -> Campaign:
    """Create a campaign after checking its dates, shares and amounts."""
    values.setdefault("territory", "Haute-Garonne")
    _check(values, None)
    campaign = Campaign(**{k: values[k] for k in FIELDS})
    campaign.name, campaign.territory = campaign.name.strip(), campaign.territory.strip()
    db.session.add(campaign)
    db.session.flush()
    record(actor, "campaign.created", campaign, after={k: getattr(campaign, k) for k in FIELDS})
    return campaign


def update(actor, campaign: Campaign, **values) -> Campaign:
    """Change a campaign; once tickets exist its face value is frozen and its budget covers them."""
    # Lock the row so a concurrent generation cannot raise issued_cents between check and write.
    db.session.execute(sa.select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    db.session.refresh(campaign)
    _check(values, campaign)
    before = {k: getattr(campaign, k) for k in FIELDS}
    for key in FIELDS:
        setattr(campaign, key, values[key].strip() if key in ("name", "territory") else values[key])
    after = {k: getattr(campaign, k) for k in FIELDS}
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record(actor, "campaign.updated", campaign, before={k: before[k] for k in changed}, after=changed)
    db.session.flush()
    return campaign


@dataclass
class ExpiryAlert:
    campaign: Campaign
    days_left: int
    in_grace: bool  # ended, tickets still accepted until valid_until


def expiry_alerts(today: date) -> list[ExpiryAlert]:
    """Return the campaigns ending within 30 days, or ended and still in their grace period."""
    campaigns = db.session.execute(
        sa.select(Campaign).where(Campaign.ends_on >= today - timedelta(days=366),
                                  Campaign.ends_on <= today + timedelta(days=EXPIRY_ALERT_DAYS))
        .order_by(Campaign.ends_on)).scalars()
    alerts = []
    for campaign in campaigns:
        if today <= campaign.ends_on:
            alerts.append(ExpiryAlert(campaign, (campaign.ends_on - today).days, False))
        elif today <= campaign.valid_until:
            alerts.append(ExpiryAlert(campaign, (campaign.valid_until - today).days, True))
    return alerts


def expire(actor, campaign: Campaign, today: date) -> int:
    """Mark the unused tickets of a campaign past its end plus grace as expired; return how many."""
    if today <= campaign.valid_until:
        raise DomainError("bad_request", _("La campagne est valable jusqu'au %(day)s : ses tickets ne peuvent pas "
                                           "encore expirer.", day=campaign.valid_until.strftime("%d/%m/%Y")))
    count = _expire_unused(campaign)
    record(actor, "campaign.expired", campaign, after={"tickets_expired": count})
    return count


def expire_due(actor, today: date) -> dict[int, int]:
    """Expire the unused tickets of every campaign past its end plus grace; return {campaign id: tickets expired}.

    Safe to run again or twice at once: a ticket already expired is not counted, and a campaign
    with nothing left to expire gets no audit event.
    """
    candidates = db.session.execute(
        sa.select(Campaign).where(Campaign.ends_on < today,
                                  sa.exists().where(Ticket.campaign_id == Campaign.id, Ticket.status.in_(UNUSED)))
        .order_by(Campaign.id)).scalars().all()
    expired = {}
    for campaign in candidates:
        if today > campaign.valid_until and (count := _expire_unused(campaign)):
            record(actor, "campaign.expired", campaign, after={"tickets_expired": count})
            expired[campaign.id] = count
    return expired


def _expire_unused(campaign: Campaign) -> int:
    """Move the campaign's tickets still issued or active to expired, in one conditional update."""
    return db.session.execute(
        sa.update(Ticket).where(Ticket.campaign_id == campaign.id, Ticket.status.in_(UNUSED))
        .values(status=TicketStatus.EXPIRED, changed_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount


def unused_by_point(campaign: Campaign) -> list[dict]:
    """Summarise the unused tickets of a campaign per reception point: in stock, handed out unused, expired."""
    handed = sa.func.sum(sa.case((Ticket.activated_at.is_not(None), 1), else_=0))
    rows = db.session.execute(
        sa.select(ReceptionPoint.name, Ticket.status, sa.func.count(), handed)
        .select_from(Ticket).join(Booklet, Ticket.booklet_id == Booklet.id)
        .outerjoin(ReceptionPoint, Booklet.reception_point_id == ReceptionPoint.id)
        .where(Ticket.campaign_id == campaign.id,
               Ticket.status.in_([TicketStatus.ISSUED, TicketStatus.ACTIVE, TicketStatus.EXPIRED]))
        .group_by(ReceptionPoint.name, Ticket.status)).all()
    out: dict[str, dict] = {}
    for point, status, count, handed_count in rows:
        row = out.setdefault(point or "", {"point": point or "", "in_stock": 0, "handed_out_unused": 0, "expired": 0})
        if status == TicketStatus.EXPIRED:
            row["expired"] += count
            row["handed_out_unused"] += handed_count or 0
            row["in_stock"] += count - (handed_count or 0)
        elif status == TicketStatus.ACTIVE:
            row["handed_out_unused"] += count
        else:
            row["in_stock"] += count
    for row in out.values():
        row["unused"] = row["in_stock"] + row["handed_out_unused"]
        row["value_cents"] = row["unused"] * campaign.face_value_cents
    return sorted(out.values(), key=lambda r: r["point"])


def unused_tickets(campaign: Campaign):
    """Yield (ticket number, status, booklet serial, reception point, activated_at) of every unused ticket."""
    yield from db.session.execute(
        sa.select(Ticket.number, Ticket.status, Booklet.serial, ReceptionPoint.name, Ticket.activated_at)
        .select_from(Ticket).join(Booklet, Ticket.booklet_id == Booklet.id)
        .outerjoin(ReceptionPoint, Booklet.reception_point_id == ReceptionPoint.id)
        .where(Ticket.campaign_id == campaign.id,
               Ticket.status.in_([TicketStatus.ISSUED, TicketStatus.ACTIVE, TicketStatus.EXPIRED]))
        .order_by(Ticket.number)).yield_per(2000)
