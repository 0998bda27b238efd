"""The back office's part of the demo: reception staff, beneficiaries' requests, a history of validations.

Built once, when the demo has no request yet. Validations are made through the redemption
service, as offline scans at past workshops, so that the dashboard's months have figures.
"""
import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ...domain import beneficiaries as requests_ops
from ...domain.booklets import ticket_code
from ...domain.clock import local_today, to_utc_naive
from ...domain.redemption import ScanRequest, redeem
from ...extensions import db
from ...models import (
    BeneficiaryRequest,
    Booklet,
    BookletAssignment,
    BookletStatus,
    Partner,
    ReceptionPoint,
    Role,
    User,
    Workshop,
)

PEOPLE = [  # civility, first name, last name, street, INSEE, postcode, publics
    ("Madame", "Jeanne", "Martin", "12 rue des Écoles", "31020", "31160", ["isolated_elderly", "isolated_geographic"]),
    ("Monsieur", "Karim", "Benali", "4 chemin du Lac", "31483", "31800", ["insertion"]),
    ("Madame", "Léa", "Dubois", "7 place de la Halle", "31080", "31350", ["young_adult"]),
    ("Monsieur", "Pierre", "Castet", "Lieu-dit Le Bourg", "31028", "31420", ["isolated_geographic"]),
    ("Madame", "Amina", "Diallo", "25 avenue de Toulouse", "31483", "31800", ["non_french_speaker", "insertion"]),
    ("Monsieur", "Lucas", "Ferrer", "3 rue du Moulin", "31523", "31260", ["young_adult", "isolated_precarity"]),
    ("Madame", "Josette", "Ribes", "18 rue Nationale", "31020", "31160", ["isolated_disabled"]),
    ("Monsieur", "Marc", "Sabatier", "9 impasse des Lilas", "31483", "31800", ["isolated_precarity"]),
]


def build_backoffice_demo(campaign, password_user) -> None:
    """Add requests, a reception agent and past validations, if the demo has no request yet."""
    if db.session.execute(sa.select(BeneficiaryRequest.id).limit(1)).first():
        return
    mds = db.session.execute(sa.select(ReceptionPoint).where(ReceptionPoint.commune_insee == "31483")).scalar_one()
    agent = password_user("accueil-st-gaudens@cd31.example", Role.INSTRUCTOR, name="Agnès Accueil")
    agent.reception_point_id = mds.id
    db.session.flush()
    today = local_today()
    for i, (civility, first, last, street, insee, postcode, publics) in enumerate(PEOPLE):
        request = requests_ops.register(agent, mds, {
            "civility": civility, "first_name": first, "last_name": last, "address_street": street,
            "commune_insee": insee, "postcode": postcode, "address_recipient": "", "address_building": "",
            "address_place": "", "phone": "", "email": ""}, publics, True)
        if i < 6:
            requests_ops.assign(agent, request, today)
        if i < 4:
            requests_ops.mark_posted(agent, request)
    db.session.flush()
    _past_validations(campaign)


def _handed_out_before(booklet, when) -> None:
    """Date a booklet's hand-out back into the demo's story (the server never believes a scan before it)."""
    if booklet.distributed_at is None or booklet.distributed_at > when:
        booklet.distributed_at = when
        for ticket in booklet.tickets:
            ticket.activated_at = when


def _past_validations(campaign) -> None:
    """Validate some handed-out tickets at past workshops, as offline scans synced later."""
    partners = db.session.execute(sa.select(Partner).order_by(Partner.id)).scalars().all()
    # Booklets of the requests first, so that the figures per priority public are not empty.
    booklets = db.session.execute(
        sa.select(Booklet).outerjoin(BookletAssignment, BookletAssignment.booklet_id == Booklet.id)
        .where(Booklet.campaign_id == campaign.id, Booklet.status == BookletStatus.DISTRIBUTED)
        .order_by(BookletAssignment.id.is_(None), Booklet.number)).scalars().all()
    tickets = [t for b in booklets for t in b.tickets]
    today = local_today()
    plan = [(52, 6), (45, 9), (31, 14), (24, 11), (10, 18), (3, 12)]  # (days ago, validations)
    used = 0
    for days, count in plan:
        day = today - timedelta(days=days)
        for k in range(count):
            if used >= len(tickets):
                return
            partner = partners[(used + days) % len(partners)]
            trainer = db.session.execute(sa.select(User).where(User.partner_id == partner.id,
                                                               User.role == Role.TRAINER)).scalars().first()
            start = to_utc_naive(datetime.combine(day, time(14, 0)))
            workshop = Workshop(partner_id=partner.id, title="Atelier découverte", starts_at=start,
                                ends_at=start + timedelta(hours=3), place="Salle des fêtes", capacity=20,
                                tickets_per_participant=10, commune_insee=partner.commune_insee,
                                created_at=start - timedelta(days=7))  # planned a week ahead
            db.session.add(workshop)
            db.session.flush()
            at = start + timedelta(minutes=10 + k)
            _handed_out_before(tickets[used].booklet, at - timedelta(days=14))
            redeem(trainer, ScanRequest(workshop_id=workshop.id, nonce=uuid.uuid4().hex,
                                        code=ticket_code(tickets[used].number), scanned_at=at, offline=True), now=at)
            used += 1
