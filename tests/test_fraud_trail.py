"""The fraud trail, read: the anomaly rules fed by refused scans and booklets, and the staff page of refused scans."""
import csv
import html
import io
import re
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


def test_a_booklet_used_at_two_associations_on_one_day_is_flagged(factory, login):
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
    claim = _submit(world)
    assert _flags(at_both) == {anomalies.TWO_PARTNERS_SAME_DAY, anomalies.SAME_BOOKLET_SAME_DAY}
    assert _flags(on_two_days) == set()
    assert _flags(here_twice) == {anomalies.SAME_BOOKLET_SAME_DAY}
    review = login(world.instructor).get(f"/staff/claims/{claim.id}?flagged=1").get_data(as_text=True)
    assert review.count("Carnet utilisé dans deux structures le même jour") == 1
    assert anomalies.TWO_PARTNERS_SAME_DAY not in review


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


# The staff page of refused scans.

def _trail(factory):
    """Two associations' refused scans: A's online and offline ones, B's with a hostile name and title."""
    campaign = campaign_for_last_month(factory)
    a = make_world(factory)
    b = make_world(factory, 1, instructor=a.instructor, finance=a.finance)
    b.partner.name = "=HYPERLINK(\"http://evil.example\",\"Association B\")"
    hostile = _workshop(factory, b.partner, last_month_day(12), title="<script>alert(1)</script> Atelier")
    db.session.commit()
    ticket = factory.tickets(campaign)[3]
    day, later = last_month_day(10), last_month_day(12)
    scans = {
        "wrong_code": _refused(a.partner, at(day, 14, 30), "bad_check_code", ticket_id=ticket.id,
                               workshop_id=a.workshop.id, user_id=a.trainer.id),
        "typed": _refused(a.partner, at(day, 15), "unknown_ticket", serial="0000999991", workshop_id=a.workshop.id),
        "offline": _refused(a.partner, at(later, 16, 45), "already_redeemed", offline=True,
                            created_at=at(local_today(), 8), workshop_id=a.workshop.id),
        "hostile": _refused(b.partner, at(later, 15), "bad_signature", workshop_id=hostile.id),
    }
    return a, b, ticket, scans


def _rows(page: str) -> list[str]:
    body = page.split('<tbody>', 1)[1].split('</tbody>', 1)[0]
    return body.split("<tr>")[1:]


def test_staff_read_refused_scans_in_french_and_filter_them(factory, login):
    a, _b, ticket, _scans = _trail(factory)
    instructor = login(a.instructor)
    response = instructor.get("/staff/claims/refused-scans")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 4
    hostile, offline, typed, wrong_code = rows  # newest recorded first
    assert a.partner.name in wrong_code and "Démarches en ligne" in wrong_code
    assert ticket.booklet.serial in wrong_code and f"/bo/booklets/{ticket.booklet_id}" in wrong_code
    assert "Code de contrôle faux" in wrong_code and "En ligne" in wrong_code
    assert f"{last_month_day(10):%d/%m/%Y}\u00a0à\u00a014\u00a0h\u00a030" in wrong_code
    assert "000 099 999 1" in typed and "numéro saisi" in typed and "Numéro de ticket inconnu" in typed
    # Offline: the time shown is the phone's, not the upload's.
    assert "16\u00a0h\u00a045" in offline and "Hors connexion" in offline and "Ticket déjà validé" in offline
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Atelier" in hostile and "<script>alert" not in page
    for code in ("bad_check_code", "unknown_ticket", "already_redeemed", "bad_signature"):
        assert f">{code}<" not in page
    assert 'href="/staff/claims/refused-scans"' in page  # in the staff menu

    def shown(query: str) -> int:
        return len(_rows(instructor.get(f"/staff/claims/refused-scans?{query}").get_data(as_text=True)))

    assert shown(f"partner={a.partner.id}") == 3
    assert shown("reason=bad_signature") == 1
    assert shown("offline=1") == 1
    later = last_month_day(12).isoformat()
    assert shown(f"date_from={later}") == 2  # the offline scan counts on the day it was scanned
    assert shown(f"date_to={last_month_day(11).isoformat()}") == 2
    assert shown(f"date_from={later}&date_to={later}&partner={a.partner.id}&offline=1") == 1
    # What cannot be a filter is ignored, never a 500.
    assert shown("partner=abc&reason=<x>&date_from=99999-01-01&date_to=2024-13-40&offline=yes&before=-1") == 4
    assert shown("partner=99999999999&before=99999999999") == 4


def test_finance_reads_the_same_page(factory, login):
    a, _b, _ticket, _scans = _trail(factory)
    assert len(_rows(login(a.finance).get("/staff/claims/refused-scans").get_data(as_text=True))) == 4


def test_the_list_is_paged_fifty_at_a_time(factory, login):
    a = make_world(factory)
    for i in range(55):
        _refused(a.partner, at(last_month_day(), 10) + timedelta(minutes=i))
    instructor = login(a.instructor)
    page = instructor.get(f"/staff/claims/refused-scans?partner={a.partner.id}").get_data(as_text=True)
    assert len(_rows(page)) == 50
    older = re.search(r'href="([^"]*before=[^"]*)">Scans plus anciens', page).group(1)
    assert f"partner={a.partner.id}" in older  # the filter holds on the next page
    second = instructor.get(html.unescape(older)).get_data(as_text=True)
    assert len(_rows(second)) == 5 and "Scans plus anciens" not in second


def test_the_csv_export_is_filtered_in_french_and_neutralises_formulas(factory, login):
    a, b, ticket, _scans = _trail(factory)
    response = login(a.instructor).get("/staff/claims/refused-scans.csv?reason=bad_signature")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Date et heure", "Structure", "Atelier", "Carnet", "Numéro saisi", "Motif", "Mode"]
    (row,) = rows[1:]
    assert row[1] == "'" + b.partner.name  # shown as text by a spreadsheet, never run
    assert row[2] == "<script>alert(1)</script> Atelier"
    assert row[5] == "Signature invalide (ticket non émis par le Département)" and row[6] == "en ligne"
    assert row[0] == f"{last_month_day(12):%d/%m/%Y} 15:00"
    everything = list(csv.reader(io.StringIO(login(a.finance).get("/staff/claims/refused-scans.csv")
                                             .get_data(as_text=True).lstrip("\ufeff"))))
    by_reason = {r[5]: r for r in everything[1:]}
    assert len(everything) == 5
    assert by_reason["Code de contrôle faux"][3] == ticket.booklet.serial
    assert by_reason["Numéro de ticket inconnu"][3:5] == ["", "0000999991"]
    assert by_reason["Ticket déjà validé"][6] == "hors connexion"


def test_partners_may_not_read_the_refused_scans(factory, login, client):
    a, b, _ticket, _scans = _trail(factory)
    for user in (a.trainer, a.manager, b.manager):
        signed_in = login(user)
        for url in ("/staff/claims/refused-scans", "/staff/claims/refused-scans.csv"):
            assert signed_in.get(url).status_code == 403, (user.role, url)
    assert "/login?next=" in client.get("/staff/claims/refused-scans").headers["Location"]
