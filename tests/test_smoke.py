def test_healthz_answers_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_a_trainer_redeems_an_active_ticket_once(app, factory, api):
    partner = factory.partner()
    trainer = factory.user("trainer", partner)
    workshop = factory.workshop(partner)
    ticket = factory.tickets()[0]
    client = api(trainer)
    first = client.redeem(workshop, ticket)
    assert first.status_code == 201, first.get_json()
    second = client.redeem(workshop, ticket)
    assert second.status_code == 409
    assert second.get_json()["reason"] == "already_redeemed"
    assert "par votre structure" in second.get_json()["message"]
