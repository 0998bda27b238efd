"""What the scan page needs from the JSON API: the verdict, whether it can be undone, the workshop's count."""
from partner_site.api.openapi import SPEC
from partner_site.domain.codes import format_serial


def test_an_accepted_scan_says_it_can_be_undone_and_gives_the_workshops_count(app, factory, api):
    partner = factory.partner()
    workshop = factory.workshop(partner)
    first, second = factory.tickets()[0], factory.tickets()[0]
    client = api(factory.user("trainer", partner))
    client.redeem(workshop, first)
    answer = client.redeem(workshop, second).get_json()
    assert answer["status"] == "accepted" and answer["voidable"] is True
    assert answer["workshop_count"] == 2
    assert answer["message"] == f"Ticket {format_serial(second.serial)} accepté."


def test_an_undo_answer_gives_the_new_count_and_names_the_ticket(app, factory, api):
    partner = factory.partner()
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    client = api(factory.user("trainer", partner))
    redemption_id = client.redeem(workshop, ticket).get_json()["id"]
    answer = client.delete(f"/api/v1/redemptions/{redemption_id}").get_json()
    assert (answer["status"], answer["voidable"], answer["workshop_count"]) == ("voided", False, 0)
    assert answer["message"] == f"Validation du ticket {format_serial(ticket.serial)} annulée."


def test_a_scan_answer_fits_in_one_kilobyte(app, factory, api):
    partner = factory.partner()
    client = api(factory.user("trainer", partner))
    response = client.redeem(factory.workshop(partner), factory.tickets()[0])
    assert len(response.get_data()) < 1024


def test_the_openapi_description_documents_the_new_fields(app):
    fields = SPEC["components"]["schemas"]["Redemption"]["properties"]
    assert {"voidable", "workshop_count", "trainer"} <= set(fields)
