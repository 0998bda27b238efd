"""Simple anomaly rules run when a claim is submitted; flagged lines are shown to the instructor.

Rules look for what a fraud or a mistake leaves behind: tickets of one booklet used at several
workshops on one day, a validation far outside the workshop's hours, a workshop with more
participants (distinct booklets) than its capacity. A flag is a question, not a rejection.
"""
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import ClaimLine, LineKind, Redemption, Workshop
from .clock import to_local

SAME_BOOKLET_SAME_DAY = "same_booklet_same_day"
OUTSIDE_HOURS = "outside_hours"
OVER_CAPACITY = "over_capacity"

LABELS = {
    SAME_BOOKLET_SAME_DAY: _l("Plusieurs tickets d'un même carnet le même jour"),
    OUTSIDE_HOURS: _l("Validation en dehors des horaires de l'atelier"),
    OVER_CAPACITY: _l("Atelier au-delà de sa capacité"),
}
# A scan a little before the start or after the end is normal (people arrive early, stay late).
HOURS_MARGIN = timedelta(minutes=30)


def labels(flags: str | None) -> list[str]:
    """Return the French labels of a line's comma-separated flags."""
    return [str(LABELS.get(code, code)) for code in (flags or "").split(",") if code]


def flag_claim(claim_id: int) -> int:
    """Flag the claim's redemption lines that match a rule; return how many lines are flagged."""
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
    per_day = _booklet_days(claim_id)
    for row in rows:
        if len(per_day[(row.booklet_id, to_local(row.scanned_at).date())]) > 1:
            flags[row.id].append(SAME_BOOKLET_SAME_DAY)
    crowded = _over_capacity_workshops(claim_id)
    for row in rows:
        if row.workshop_id in crowded:
            flags[row.id].append(OVER_CAPACITY)
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


def _booklet_days(claim_id: int) -> dict:
    """Map each of the claim's booklets and local days to the workshops (any partner's) that took it.

    Several tickets of one booklet at one workshop are normal when the workshop takes several per
    person (the scan already refuses more); at two workshops the same day they are an anomaly.
    """
    booklets = sa.select(Redemption.booklet_id).where(Redemption.id.in_(_claim_redemptions(claim_id)))
    workshops = defaultdict(set)
    for booklet_id, scanned_at, workshop_id in db.session.execute(
            sa.select(Redemption.booklet_id, Redemption.scanned_at, Redemption.workshop_id)
            .where(Redemption.booklet_id.in_(booklets), Redemption.voided_at.is_(None))):
        workshops[(booklet_id, to_local(scanned_at).date())].add(workshop_id)
    return workshops


def _over_capacity_workshops(claim_id: int) -> set[int]:
    """Return the claim's workshops where more people (distinct booklets) came than the capacity."""
    workshops = sa.select(Redemption.workshop_id).where(Redemption.id.in_(_claim_redemptions(claim_id)))
    people = (sa.select(Redemption.workshop_id, sa.func.count(sa.distinct(Redemption.booklet_id)).label("people"))
              .where(Redemption.workshop_id.in_(workshops), Redemption.voided_at.is_(None))
              .group_by(Redemption.workshop_id).subquery())
    return set(db.session.execute(
        sa.select(people.c.workshop_id).join(Workshop, Workshop.id == people.c.workshop_id)
        .where(people.c.people > Workshop.capacity)).scalars())
