"""A small world for the claims tests: a partner with people, validations last month, staff."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from partner_site.domain import bank, redemption
from partner_site.domain.clock import local_today, to_utc_naive
from partner_site.extensions import db
from partner_site.models import Partner, Redemption, User, Workshop

from .helpers import code_of, nonce

IBAN = "FR7630006000011234567890189"
BIC = "AGRIFRPP"
SIRETS = ["44306184100047", "73282932000074", "55210055400013", "38347481400100", "78467169500087"]


def last_month_day(day: int = 10) -> date:
    """Return a day of last month (local time)."""
    first = local_today().replace(day=1)
    return (first - timedelta(days=1)).replace(day=day)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return naive UTC for a local day and hour."""
    return to_utc_naive(datetime.combine(day, time(hour, minute)))


@dataclass
class World:
    partner: Partner
    manager: User
    trainer: User
    instructor: User
    finance: User
    workshop: Workshop
    tickets: list = field(default_factory=list)


def make_world(factory, siret_index: int = 0, with_account: bool = True, instructor=None, finance=None) -> World:
    """Build a partner with a manager, a trainer, a workshop last month, and a validated account."""
    partner = factory.partner(siret=SIRETS[siret_index], contact_email=f"contact{siret_index}@asso.example",
                              address="1 place de la Mairie, 31160 Aspet")
    manager = factory.user("manager", partner, full_name="Marie Responsable")
    trainer = factory.user("trainer", partner, full_name="Camille Formatrice")
    instructor = instructor or factory.user("instructor", full_name="Inès Instructrice")
    finance = finance or factory.user("finance", full_name="Paul Payeur")
    day = last_month_day()
    workshop = factory.workshop(partner, starts_at=at(day, 14), ends_at=at(day, 17), capacity=10,
                                title="Démarches en ligne")
    world = World(partner, manager, trainer, instructor, finance, workshop)
    if with_account:
        account = bank.submit_details(manager, partner, holder_name=partner.name, iban=IBAN, bic=BIC,
                                      siret=partner.siret)
        bank.validate(finance, account)
        db.session.commit()
    return world


def campaign_for_last_month(factory):
    today = local_today()
    return factory.campaign(starts_on=today - timedelta(days=90), ends_on=today + timedelta(days=300))


def redeem_at(user, workshop, ticket, when: datetime):
    """Validate a ticket as the trainer's phone would have, at `when` (naive UTC), and commit."""
    outcome = redemption.redeem(user, redemption.ScanRequest(workshop_id=workshop.id, nonce=nonce(),
                                                             code=code_of(ticket)), now=when)
    db.session.commit()
    return db.session.get(Redemption, outcome.redemption.id)


def validations(factory, world: World, campaign, count: int, hour: int = 15):
    """Validate `count` tickets, one per booklet, at the world's workshop last month."""
    done = []
    day = last_month_day()
    for i in range(count):
        ticket = factory.tickets(campaign)[0]
        done.append(redeem_at(world.trainer, world.workshop, ticket, at(day, hour, i % 60)))
    return done
