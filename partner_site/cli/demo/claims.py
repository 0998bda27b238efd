"""The claims part of the demo: bank details, last month's validations, claims at every stage.

Built once (skipped when bank accounts exist): four partners have a validated account, one has a
change waiting for finance; last month's claims are paid, approved, submitted (one with flags) or
still to send; the current month is accumulating.
"""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ...domain import bank, payments, redemption, review
from ...domain import booklets as booklet_ops
from ...domain import claims as claim_ops
from ...domain.clock import local_today, to_utc_naive
from ...extensions import db
from ...models import BankAccount, Claim, User, Workshop

ACCOUNTS = {  # partner slug: (IBAN, BIC) - well-formed demonstration accounts
    "cagire": ("FR7630006000011234567890189", "AGRIFRPP"),
    "gesse": ("FR1420041010050500013M02606", "PSSTFRPPTOU"),
    "salat": ("FR7630004000031234567890143", "BNPAFRPP"),
    "aurignac": ("FR7610107001011234567890129", "BREDFRPP"),
    "toulouse": ("FR7630003030001234567890188", "SOGEFRPP"),
}
# How many tickets each partner validated last month, and where its claim stands.
LAST_MONTH = {"cagire": (6, "paid"), "gesse": (4, "approved"), "salat": (5, "flagged"),
              "aurignac": (3, "submitted"), "toulouse": (8, "open"), "comminges": (2, "open")}


def _user(email):
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def _local(day, hour, minute=0):
    return to_utc_naive(datetime.combine(day, time(hour, minute)))


def build_claims_demo(campaign, partners) -> None:
    """Create the claims demo unless it exists (partners: list of (slug, Partner))."""
    if db.session.execute(sa.select(BankAccount.id).limit(1)).first():
        return
    finance, instructor = _user("payeur@cd31.example"), _user("instructeur@cd31.example")
    for slug, partner in partners:
        manager = _user(f"responsable@{slug}.example")
        if slug in ACCOUNTS:
            iban, bic = ACCOUNTS[slug]
            bank.validate(finance, bank.submit_details(manager, partner, holder_name=partner.name, iban=iban,
                                                       bic=bic, siret=partner.siret))
        if slug == "comminges":  # a first entry, not checked yet: its payments wait
            bank.submit_details(manager, partner, holder_name=partner.name, iban="FR7617515900000412345678958",
                                bic="CEPAFRPP751", siret=partner.siret)
    day = (local_today().replace(day=1) - timedelta(days=1)).replace(day=12)
    stock = booklet_ops.generate("demo", campaign, 40)
    for booklet in stock:
        booklet_ops.distribute("demo", booklet)
    tickets = iter([b.tickets[0] for b in stock])
    claims = {}
    for slug, partner in partners:
        count, stage = LAST_MONTH[slug]
        trainer = _user(f"formateur@{slug}.example")
        workshop = Workshop(partner_id=partner.id, title="Découvrir les services publics en ligne", capacity=12,
                            starts_at=_local(day, 14), ends_at=_local(day, 17), place="Mairie",
                            commune_insee=partner.commune_insee, tickets_per_participant=1)
        db.session.add(workshop)
        db.session.flush()
        for i in range(count):
            hour = 21 if stage == "flagged" and i == 0 else 15  # a scan long after the workshop ended
            scan = redemption.ScanRequest(workshop_id=workshop.id, nonce=f"demo-claims-{slug}-{i:04d}",
                                          code=booklet_ops.ticket_code(next(tickets).number))
            redemption.redeem(trainer, scan, now=_local(day, hour, i * 5))
        claims[slug] = db.session.execute(sa.select(Claim).where(Claim.partner_id == partner.id)).scalar_one()
    for slug, partner in partners:
        stage, claim = LAST_MONTH[slug][1], claims[slug]
        if stage != "open":
            claim_ops.submit(_user(f"responsable@{slug}.example"), claim.id)
        if stage in ("approved", "paid"):
            review.approve(instructor, claim.id)
    batch = payments.build_batch(finance, [claims["cagire"].id], local_today())
    payments.execute_batch(finance, batch.id, local_today(), "VIR-DEMO-0001")
    # This month's validations, accumulating on the open claims.
    for slug, _partner in partners[:3]:
        workshop = db.session.execute(sa.select(Workshop).where(
            Workshop.partner_id == _partner.id, Workshop.starts_at >= _local(local_today(), 0))
            .order_by(Workshop.starts_at)).scalars().first()
        trainer = _user(f"formateur2@{slug}.example")
        for i in range(2):
            scan = redemption.ScanRequest(workshop_id=workshop.id, nonce=f"demo-today-{slug}-{i:04d}",
                                          code=booklet_ops.ticket_code(next(tickets).number))
            redemption.redeem(trainer, scan, now=_local(local_today(), 9, i))
    db.session.flush()
