"""A realistic demo, built idempotently: campaigns, partners, people, workshops, booklets.

Dates are set around today so that the demo always works: the 2021 campaign's name is the
first programme's, its validity is shifted to cover today; a second campaign ended long ago.
"""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...domain import booklets as booklet_ops
from ...domain.clock import local_today, to_utc_naive
from ...domain.codes import format_check_code, ticket_serial
from ...domain.communes import commune
from ...extensions import db
from ...models import (
    Booklet,
    BookletStatus,
    Campaign,
    Partner,
    PartnerStatus,
    ReceptionPoint,
    ReceptionPointKind,
    Role,
    Ticket,
    TicketStatus,
    User,
    Workshop,
    utcnow,
)
from .backoffice import build_backoffice_demo
from .claims import build_claims_demo

PASSWORD = "pass-numerique-31"
# The demo's staff share this second-factor secret (public, like the password): a tester adds it
# once to an authenticator app, or asks `flask --app wsgi users totp EMAIL` for the current code.
TOTP_SECRET = "DEMOPASSNUMERIQUEHAUTEGARONNE234"
CAMPAIGN = "Pass numérique Haute-Garonne 2021"
OLD_CAMPAIGN = "Pass numérique Haute-Garonne 2020 (clôturée)"

# (slug, name, SIRET, INSEE code); more than half in rural communes (under 2,000 inhabitants).
PARTNERS = [
    ("cagire", "Association Cagire Numérique", "44306184100047", "31020"),  # Aspet, rural
    ("gesse", "Foyer rural de Boulogne-sur-Gesse", "73282932000074", "31080"),  # rural
    ("salat", "Espace de vie sociale du Salat", "55210055400013", "31523"),  # Salies-du-Salat, rural
    ("aurignac", "Les Clics d'Aurignac", "38347481400100", "31028"),  # rural
    ("toulouse", "Toulouse Inclusion Numérique", "78467169500087", "31555"),  # urban
    ("comminges", "Comminges Médiation Numérique", "40483304800022", "31483"),  # Saint-Gaudens, urban
]


def _user(email, role, partner=None, name=""):
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, role=role, partner=partner, full_name=name)
        user.set_password(PASSWORD)
        db.session.add(user)
    if role.is_staff and not user.second_factor_enrolled:
        user.totp_secret, user.totp_enrolled_at = TOTP_SECRET, utcnow()
    return user


def _local(day: date, hour: int) -> datetime:
    return to_utc_naive(datetime.combine(day, time(hour, 0)))


def build_demo() -> dict:
    """Create what is missing of the demo and describe it."""
    today = local_today()
    campaign = db.session.execute(sa.select(Campaign).where(Campaign.name == CAMPAIGN)).scalar_one_or_none()
    fresh = campaign is None
    if fresh:
        campaign = Campaign(name=CAMPAIGN, budget_cents=222_000_00, face_value_cents=1000,
                            starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=300), grace_days=31)
        old = Campaign(name=OLD_CAMPAIGN, budget_cents=20_000_00, face_value_cents=1000,
                       starts_on=today - timedelta(days=800), ends_on=today - timedelta(days=430), grace_days=31)
        db.session.add_all([campaign, old])
    points = {}
    for name, kind, insee in [("Maison départementale de solidarité de Saint-Gaudens", ReceptionPointKind.MDS, "31483"),
                              ("Maison départementale de proximité d'Aspet", ReceptionPointKind.MDP, "31020"),
                              ("MDPH de la Haute-Garonne", ReceptionPointKind.MDPH, "31555")]:
        point = db.session.execute(sa.select(ReceptionPoint).where(ReceptionPoint.name == name)).scalar_one_or_none()
        points[insee] = point or ReceptionPoint(name=name, kind=kind, commune_insee=insee)
        db.session.add(points[insee])
    staff = [_user("instructeur@cd31.example", Role.INSTRUCTOR, name="Inès Instructrice"),
             _user("payeur@cd31.example", Role.FINANCE, name="Paul Payeur"),
             _user("admin@cd31.example", Role.ADMIN, name="Alice Administratrice")]
    partners = []
    for slug, name, siret, insee in PARTNERS:
        partner = db.session.execute(sa.select(Partner).where(Partner.siret == siret)).scalar_one_or_none()
        if partner is None:
            place = commune(insee)
            partner = Partner(name=name, siret=siret, commune_insee=insee, rural=place.rural,
                              status=PartnerStatus.ACCREDITED, address=f"Place de la Mairie, {place.postcodes[0]} {place.name}",
                              contact_email=f"contact@{slug}.example", contact_phone="05 61 00 00 00")
            db.session.add(partner)
        partners.append((slug, partner))
        _user(f"responsable@{slug}.example", Role.MANAGER, partner, f"Responsable {name}")
        _user(f"formateur@{slug}.example", Role.TRAINER, partner, "Camille Formatrice")
        _user(f"formateur2@{slug}.example", Role.TRAINER, partner, "Dominique Formateur")
    db.session.flush()
    for slug, partner in partners:
        exists = db.session.execute(sa.select(Workshop.id).where(
            Workshop.partner_id == partner.id, Workshop.starts_at >= _local(today, 0))).first()
        if not exists:
            place = commune(partner.commune_insee)
            db.session.add_all([
                Workshop(partner_id=partner.id, title="Créer et utiliser une adresse e-mail",
                         starts_at=_local(today, 8), ends_at=_local(today, 20), place=f"Salle des fêtes, {place.name}",
                         commune_insee=partner.commune_insee, capacity=10, tickets_per_participant=1),
                Workshop(partner_id=partner.id, title="Faire ses démarches en ligne",
                         starts_at=_local(today + timedelta(days=7), 14), ends_at=_local(today + timedelta(days=7), 17),
                         place=f"Médiathèque, {place.name}", commune_insee=partner.commune_insee, capacity=8,
                         tickets_per_participant=2),
            ])
    db.session.flush()
    if fresh:
        stock = booklet_ops.generate("demo", campaign, 24, reception_point_id=points["31483"].id)
        for booklet in stock[:12]:
            booklet_ops.distribute("demo", booklet)
        for booklet in stock[12:14]:
            booklet_ops.oppose("demo", booklet, "Carnet déclaré perdu par le bénéficiaire")
        old_booklets = booklet_ops.generate("demo", old, 3, reception_point_id=points["31020"].id)
        for booklet in old_booklets:
            booklet_ops.distribute("demo", booklet)
    db.session.flush()
    build_claims_demo(campaign, partners)
    build_backoffice_demo(campaign, _user)
    db.session.flush()
    return _describe(campaign, staff, partners)


def _describe(campaign, staff, partners) -> dict:
    users = [{"email": u.email, "password": PASSWORD, "role": u.role.value, "partner_id": u.partner_id,
              "partner_name": u.partner.name if u.partner else "", "second_factor": u.role.is_staff}
             for u in db.session.execute(sa.select(User).order_by(User.id)).scalars()]
    workshops = [{"id": w.id, "partner_id": w.partner_id, "title": w.title, "starts_at": w.starts_at.isoformat() + "Z"}
                 for w in db.session.execute(sa.select(Workshop).order_by(Workshop.id)).scalars()]
    samples = {}
    for status in (TicketStatus.ACTIVE, TicketStatus.ISSUED, TicketStatus.CANCELLED):
        rows = db.session.execute(sa.select(Ticket.number).where(
            Ticket.campaign_id == campaign.id, Ticket.status == status).order_by(Ticket.number).limit(3)).scalars()
        samples[status.value] = [{"serial": ticket_serial(n), "check_code": format_check_code(booklet_ops.ticket_check_code(n)),
                                  "code": booklet_ops.ticket_code(n)} for n in rows]
    booklets = {s.value: [b for b in db.session.execute(sa.select(Booklet.serial).where(
        Booklet.campaign_id == campaign.id, Booklet.status == s).order_by(Booklet.number).limit(3)).scalars()]
        for s in BookletStatus}
    return {"campaign_id": campaign.id, "password": PASSWORD, "users": users, "workshops": workshops,
            "totp_secret": TOTP_SECRET, "totp_command": "flask --app wsgi users totp EMAIL",
            "partners": [{"id": p.id, "name": p.name, "rural": p.rural} for _s, p in partners],
            "sample_tickets": samples, "booklets": booklets}
