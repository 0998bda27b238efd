"""The fraud trail, read: the anomaly rules fed by refused scans and booklets."""
from datetime import timedelta

import sqlalchemy as sa

from partner_site.domain import anomalies
from partner_site.domain import claims as claim_ops
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import Claim, ClaimLine, FailedScan

from .claims_world import at, campaign_for_last_month, last_month_day, make_world, redeem_at


def _submit(world) -> Claim:
    claim = db.session.execute(sa.select(Claim).where(Claim.partner_id == world.partner.id)
                               .order_by(Claim.period)).scalars().first()
    claim_ops.submit(world.manager, claim.id)
    db.session.commit()
    return claim


def _flags(redemption_row) -> set[str]:
    line = db.session.execute(sa.select(ClaimLine).where(ClaimLine.redemption_id == redemption_row.id)).scalar_one()
    return set((line.flags or "").split(",")) - {""}


def _workshop(factory, partner, day, title="Atelier numérique"):
    return factory.workshop(partner, starts_at=at(day, 14), ends_at=at(day, 17), title=title)


def _refused(partner, when, reason="bad_check_code", offline=False, **kw) -> FailedScan:
    """Record a refused scan as the scan would have (created_at is the server's time, scanned_at the phone's)."""
    scan = FailedScan(partner_id=partner.id, reason=reason, offline=offline, created_at=kw.pop("created_at", when),
                      scanned_at=when if offline else None, **kw)
    db.session.add(scan)
    db.session.commit()
    return scan


def test_every_flag_code_fits_the_flags_column():
    assert len(",".join(sorted(anomalies.LABELS))) <= ClaimLine.flags.type.length


def test_a_burst_of_refused_codes_flags_the_validations_of_that_day_only(factory):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)
    other = make_world(factory, 1, instructor=world.instructor, finance=world.finance)
    burst_day, calm_day = last_month_day(10), last_month_day(12)
    on_burst_day = redeem_at(world.trainer, world.workshop, factory.tickets(campaign)[0], at(burst_day, 15))
    on_calm_day = redeem_at(world.trainer, _workshop(factory, world.partner, calm_day),
                            factory.tickets(campaign)[0], at(calm_day, 15))
    # Ten wrong codes, forged and unknown tickets within an hour: a burst.
    reasons = ["bad_check_code"] * 7 + ["bad_signature", "unknown_ticket", "unknown_key"]
    for i, reason in enumerate(reasons):
        _refused(world.partner, at(burst_day, 14, 5 * i), reason)
    # The calm day: nine within an hour, ten spread over 90 minutes, honest refusals, another association's burst.
    for i in range(9):
        _refused(world.partner, at(calm_day, 9, 5 * i))
    for i in range(10):
        _refused(world.partner, at(calm_day, 11) + timedelta(minutes=10 * i))
    for i in range(12):
        _refused(world.partner, at(calm_day, 15, i), "already_redeemed")
    for i in range(12):
        _refused(other.partner, at(calm_day, 15, i))
    claim = _submit(world)
    assert _flags(on_burst_day) == {anomalies.SCAN_BURST}
    assert _flags(on_calm_day) == set()
    assert claim.flagged_count == 1
    assert anomalies.scan_burst_days(other.partner.id, claim.period) == {calm_day}


def test_offline_refusals_count_at_the_phone_s_time(factory):
    world = make_world(factory)
    day = last_month_day(10)
    for i in range(10):  # scanned last month within an hour, uploaded today
        _refused(world.partner, at(day, 14, 5 * i), offline=True, created_at=at(local_today(), 9))
    assert anomalies.scan_burst_days(world.partner.id, day.replace(day=1)) == {day}


def test_a_booklet_emptied_at_one_association_within_three_days_is_flagged(factory):
    today = local_today()
    campaign = factory.campaign(starts_on=today - timedelta(days=90), ends_on=today + timedelta(days=300),
                                booklet_size=3)
    world = make_world(factory)
    other = make_world(factory, 1, instructor=world.instructor, finance=world.finance)
    days = [last_month_day(n) for n in (10, 11, 12, 15)]
    ours = {day: _workshop(factory, world.partner, day) for day in days}
    theirs = _workshop(factory, other.partner, days[1])

    def spend(tickets, where):
        return [redeem_at(user, workshop, ticket, at(day, 15))
                for ticket, (user, workshop, day) in zip(tickets, where)]

    def here(*day_indexes):
        return [(world.trainer, ours[days[i]], days[i]) for i in day_indexes]

    emptied = spend(factory.tickets(campaign), here(0, 1, 2))  # all three within two days
    slow = spend(factory.tickets(campaign), here(0, 1, 3))  # all three, over five days
    partial = spend(factory.tickets(campaign)[:2], here(0, 1))  # two of three
    shared = spend(factory.tickets(campaign), [here(0)[0], (other.trainer, theirs, days[1]), here(2)[0]])
    _submit(world)
    assert [_flags(r) for r in emptied] == [{anomalies.BOOKLET_EMPTIED}] * 3
    assert [_flags(r) for r in slow + partial + [shared[0], shared[2]]] == [set()] * 7


def test_a_booklet_used_at_two_associations_on_one_day_is_flagged(factory):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)
    other = make_world(factory, 1, instructor=world.instructor, finance=world.finance)
    day, next_day = last_month_day(10), last_month_day(11)
    morning = factory.workshop(world.partner, starts_at=at(day, 9), ends_at=at(day, 11), title="Matin")
    elsewhere = factory.workshop(other.partner, starts_at=at(day, 9), ends_at=at(day, 11), title="Ailleurs")
    elsewhere_tomorrow = _workshop(factory, other.partner, next_day)
    travelled, next_day_booklet, twice_here = (factory.tickets(campaign) for _ in range(3))
    at_both = redeem_at(world.trainer, world.workshop, travelled[0], at(day, 15))
    redeem_at(other.trainer, elsewhere, travelled[1], at(day, 10))
    on_two_days = redeem_at(world.trainer, world.workshop, next_day_booklet[0], at(day, 15))
    redeem_at(other.trainer, elsewhere_tomorrow, next_day_booklet[1], at(next_day, 15))
    here_twice = redeem_at(world.trainer, world.workshop, twice_here[0], at(day, 15, 30))
    redeem_at(world.trainer, morning, twice_here[1], at(day, 10))
    _submit(world)
    assert _flags(at_both) == {anomalies.TWO_PARTNERS_SAME_DAY, anomalies.SAME_BOOKLET_SAME_DAY}
    assert _flags(on_two_days) == set()
    assert _flags(here_twice) == {anomalies.SAME_BOOKLET_SAME_DAY}


def test_a_scan_far_outside_the_workshop_s_hours_is_flagged_and_a_little_late_one_is_not(factory):
    campaign = campaign_for_last_month(factory)
    world = make_world(factory)  # its workshop runs 14:00 to 17:00
    day = last_month_day()
    on_time, a_little_late, early, late = (
        redeem_at(world.trainer, world.workshop, factory.tickets(campaign)[0], at(day, hour, minute))
        for hour, minute in ((15, 0), (17, 20), (12, 30), (18, 10)))
    claim = _submit(world)
    assert [_flags(r) for r in (on_time, a_little_late, early, late)] == [
        set(), set(), {anomalies.OUTSIDE_HOURS}, {anomalies.OUTSIDE_HOURS}]
    assert claim.flagged_count == 2

