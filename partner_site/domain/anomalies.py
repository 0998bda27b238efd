"""Simple anomaly rules run when a claim is submitted; flagged lines are shown to the instructor.

Rules look for what a fraud or a mistake leaves behind: tickets of one booklet used at several
workshops on one day, or at two associations on one day, a validation far outside the workshop's
hours, a workshop with more participants (distinct booklets) than its capacity, a whole booklet
spent at one association in a few days, validations on a day the association's phones had a burst
of refused codes (guessed check codes, forged tickets). A flag is a question, not a rejection.
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Booklet, Campaign, Claim, ClaimLine, FailedScan, LineKind, Redemption, Workshop
from .clock import to_local, to_utc_naive

SAME_BOOKLET_SAME_DAY = "same_booklet_same_day"
OUTSIDE_HOURS = "outside_hours"
OVER_CAPACITY = "over_capacity"
TWO_PARTNERS_SAME_DAY = "two_partners_same_day"
BOOKLET_EMPTIED = "booklet_emptied"
SCAN_BURST = "scan_burst"

# Codes are stored comma-separated in claim_lines.flags (100 characters): keep them short.
LABELS = {
    SAME_BOOKLET_SAME_DAY: _l("Plusieurs tickets d'un même carnet le même jour"),
    OUTSIDE_HOURS: _l("Validation en dehors des horaires de l'atelier"),
    OVER_CAPACITY: _l("Atelier au-delà de sa capacité"),
    TWO_PARTNERS_SAME_DAY: _l("Carnet utilisé dans deux structures le même jour"),
    BOOKLET_EMPTIED: _l("Carnet entier utilisé dans la structure en quelques jours"),
    SCAN_BURST: _l("Validation le jour d'une rafale de scans refusés (code faux, ticket inconnu ou non signé)"),
}
# A scan a little before the start or after the end is normal (people arrive early, stay late).
HOURS_MARGIN = timedelta(minutes=30)
# A booklet is meant for several workshops over weeks or months; all its tickets spent at one
# association within three days looks like booklets collected from people rather than people trained.
BOOKLET_EMPTIED_WITHIN = timedelta(days=3)
# Refusals that a guessed check code, a forged or a made-up ticket leave behind (an expired or
# already redeemed ticket is an honest mistake and does not count).
BURST_REASONS = ("bad_check_code", "bad_signature", "unknown_key", "unknown_ticket")
# A trainer who mistypes a damaged ticket retries two or three times; ten such refusals within one
# hour at one association is someone trying codes until one passes.
BURST_SIZE = 10
BURST_WINDOW = timedelta(hours=1)


def labels(flags: str | None) -> list[str]:
    """Return the French labels of a line's comma-separated flags."""
    return [str(LABELS.get(code, code)) for code in (flags or "").split(",") if code]


def flag_claim(claim_id: int) -> int:
    """Flag the claim's redemption lines that match a rule; return how many lines are flagged."""
    claim = db.session.get(Claim, claim_id)
    rows = db.session.execute(
        sa.select(ClaimLine.id, Redemption.booklet_id, Redemption.scanned_at, Redemption.workshop_id,
                  Workshop.starts_at, Workshop.ends_at)
        .join(Redemption, Redemption.id == ClaimLine.redemption_id)
        .join(Workshop, Workshop.id == Redemption.workshop_id)
        .where(ClaimLine.claim_id == claim_id, ClaimLine.kind == LineKind.REDEMPTION)
    ).all()
    flags = defaultdict(list)
    for row in rows:
        if not (row.starts_at - HOURS_MARGIN <= row.scanned_at <= row.ends_at + HOURS_MARGIN):
            flags[row.id].append(OUTSIDE_HOURS)
    workshops_per_day, partners_per_day = _booklet_days(claim_id)
    for row in rows:
        day = (row.booklet_id, to_local(row.scanned_at).date())
        if len(workshops_per_day[day]) > 1:
            flags[row.id].append(SAME_BOOKLET_SAME_DAY)
        if len(partners_per_day[day]) > 1:
            flags[row.id].append(TWO_PARTNERS_SAME_DAY)
    crowded = _over_capacity_workshops(claim_id)
    emptied = _emptied_booklets(claim_id, claim.partner_id)
    burst_days = scan_burst_days(claim.partner_id, claim.period)
    for row in rows:
        if row.workshop_id in crowded:
            flags[row.id].append(OVER_CAPACITY)
        if row.booklet_id in emptied:
            flags[row.id].append(BOOKLET_EMPTIED)
        if to_local(row.scanned_at).date() in burst_days:
            flags[row.id].append(SCAN_BURST)
    by_value = defaultdict(list)
    for line_id, codes in flags.items():
        by_value[",".join(sorted(codes))].append(line_id)
    for value, line_ids in by_value.items():
        for start in range(0, len(line_ids), 500):
            db.session.execute(sa.update(ClaimLine).where(ClaimLine.id.in_(line_ids[start:start + 500]))
                               .values(flags=value).execution_options(synchronize_session=False))
    return len(flags)


def _claim_redemptions(claim_id: int):
    return sa.select(ClaimLine.redemption_id).where(ClaimLine.claim_id == claim_id,
                                                    ClaimLine.kind == LineKind.REDEMPTION)


def _booklet_days(claim_id: int) -> tuple[dict, dict]:
    """Map each of the claim's booklets and local days to the workshops, and to the partners, that took it.

    Several tickets of one booklet at one workshop are normal when the workshop takes several per
    person (the scan already refuses more); at two workshops the same day they are an anomaly, and
    at two associations the same day (a booklet travelling between towns) a stronger one.
    """
    booklets = sa.select(Redemption.booklet_id).where(Redemption.id.in_(_claim_redemptions(claim_id)))
    workshops, partners = defaultdict(set), defaultdict(set)
    for booklet_id, scanned_at, workshop_id, partner_id in db.session.execute(
            sa.select(Redemption.booklet_id, Redemption.scanned_at, Redemption.workshop_id, Redemption.partner_id)
            .where(Redemption.booklet_id.in_(booklets), Redemption.voided_at.is_(None))):
        day = (booklet_id, to_local(scanned_at).date())
        workshops[day].add(workshop_id)
        partners[day].add(partner_id)
    return workshops, partners


def _emptied_booklets(claim_id: int, partner_id: int) -> set[int]:
    """Return the claim's booklets whose every ticket was redeemed at this partner within a few days."""
    booklets = sa.select(Redemption.booklet_id).where(Redemption.id.in_(_claim_redemptions(claim_id)))
    spent = db.session.execute(
        sa.select(Redemption.booklet_id, Campaign.booklet_size, sa.func.count().label("used"),
                  sa.func.min(Redemption.scanned_at).label("first"), sa.func.max(Redemption.scanned_at).label("last"))
        .join(Booklet, Booklet.id == Redemption.booklet_id).join(Campaign, Campaign.id == Booklet.campaign_id)
        .where(Redemption.booklet_id.in_(booklets), Redemption.partner_id == partner_id,
               Redemption.voided_at.is_(None))
        .group_by(Redemption.booklet_id, Campaign.booklet_size)).all()
    return {row.booklet_id for row in spent
            if row.used >= row.booklet_size and row.last - row.first <= BOOKLET_EMPTIED_WITHIN}


def scan_burst_days(partner_id: int, month: date) -> set[date]:
    """Return the local days of a month on which the partner had a burst of refused codes.

    A burst is BURST_SIZE refusals of BURST_REASONS within BURST_WINDOW, timed by the phone for an
    offline scan and by the server otherwise.
    """
    start = to_utc_naive(datetime.combine(month, time()))
    end = to_utc_naive(datetime.combine((month + timedelta(days=32)).replace(day=1), time()))
    when = sa.func.coalesce(FailedScan.scanned_at, FailedScan.created_at)
    times = list(db.session.execute(
        sa.select(when).where(FailedScan.partner_id == partner_id, FailedScan.reason.in_(BURST_REASONS),
                              when >= start, when < end).order_by(when)).scalars())
    days = set()
    for i in range(len(times) - BURST_SIZE + 1):
        if times[i + BURST_SIZE - 1] - times[i] <= BURST_WINDOW:
            days.update(to_local(t).date() for t in times[i:i + BURST_SIZE])
    return days


def _over_capacity_workshops(claim_id: int) -> set[int]:
    """Return the claim's workshops where more people (distinct booklets) came than the capacity."""
    workshops = sa.select(Redemption.workshop_id).where(Redemption.id.in_(_claim_redemptions(claim_id)))
    people = (sa.select(Redemption.workshop_id, sa.func.count(sa.distinct(Redemption.booklet_id)).label("people"))
              .where(Redemption.workshop_id.in_(workshops), Redemption.voided_at.is_(None))
              .group_by(Redemption.workshop_id).subquery())
    return set(db.session.execute(
        sa.select(people.c.workshop_id).join(Workshop, Workshop.id == people.c.workshop_id)
        .where(people.c.people > Workshop.capacity)).scalars())
