"""Issue 10.10: crafted inputs get a clear 4xx, one bad offline item never sinks its batch, NUL bytes never reach the database.

Before, a scan time at the calendar's edge, a serial in non-ASCII digits or a NUL character
answered 500 (and on PostgreSQL a NUL broke the query), and one such item failed the whole batch.
"""
import pytest

from partner_site.extensions import db
from partner_site.models import Redemption, utcnow

from ..helpers import check_code_of, code_of, nonce

EDGE_TIMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-02-30T10:00:00Z", "99999"]


@pytest.mark.parametrize("scanned_at", EDGE_TIMES)
def test_a_crafted_scan_time_is_answered_on_its_own(app, factory, api, scanned_at):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    bad, good = factory.tickets()[:2]
    answer = phone.post("/api/v1/redemptions/batch", json={"items": [
        {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(bad), "scanned_at": scanned_at},
        {"workshop_id": workshop.id, "nonce": nonce(), "code": code_of(good),
         "scanned_at": utcnow().isoformat(timespec="seconds") + "Z"}]})
    assert answer.status_code == 200
    assert [r["status"] for r in answer.get_json()["results"]] == [400, 201]
    assert db.session.query(Redemption).count() == 1


@pytest.mark.parametrize("serial", ["²²²²²²²²²²", "١٢٣٤٥٦٧٨٩٠", "9" * 5000])
def test_a_crafted_serial_is_refused_as_malformed(app, factory, api, serial):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    answer = phone.post("/api/v1/redemptions", json={"workshop_id": workshop.id, "nonce": nonce(),
                                                     "serial": serial, "check_code": check_code_of(ticket)})
    assert answer.status_code == 422 and answer.get_json()["reason"] == "malformed"


def test_nul_characters_are_refused_everywhere_before_the_database(app, factory, api):
    partner = factory.partner()
    phone = api(factory.user("trainer", partner))
    workshop = factory.workshop(partner)
    answer = phone.post("/api/v1/redemptions", json={"workshop_id": workshop.id, "nonce": "abc\u0000defghij",
                                                     "serial": "12\u000034", "check_code": "A\u0000"})
    assert answer.status_code == 400 and answer.get_json()["reason"] == "bad_request"
    staff = api(factory.user("instructor"))
    for url in ("/bo/beneficiaries/?q=Du%00pont", "/bo/partners/?q=%00", "/staff/claims/?partner=%00"):
        page = staff.get(url)
        assert page.status_code == 400, (url, page.status_code)
        assert "Caractère nul refusé" in page.text
    form = phone.form(f"/workshops/{workshop.id}/scan", data={"serial": "1\x002", "check_code": "ABC"})
    assert form.status_code == 400
