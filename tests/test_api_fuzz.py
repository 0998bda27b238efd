"""Bad input on the JSON API: schemathesis from /api/v1/openapi.json, malformed JSON, oversized bodies.

Every answer must be below 500; every 4xx must be JSON with a stable `reason` and a French `message`.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .helpers import ApiClient

EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def trainer_client(app, factory):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    factory.tickets()
    return ApiClient(app, trainer.email, factory.PASSWORD), workshop


def _assert_clean(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("reason"), str) and isinstance(body.get("message"), str), where


def test_schemathesis_finds_no_server_error(app, trainer_client):
    client, _workshop = trainer_client
    cookie = client.client.get_cookie("session").value
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    seen = {}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers={"X-CSRFToken": client.csrf}, cookies={"session": cookie})
            _assert_clean(response, f"{case.method} {case.formatted_path}")
            seen.setdefault(operation.label, set()).add(response.status_code)

        check()
    print("\n" + "\n".join(f"{label}: {sorted(codes)}" for label, codes in sorted(seen.items())))
    assert len(seen) == len(operations)


@pytest.mark.parametrize("body,content_type", [
    (b"{not json", "application/json"),
    (b'{"workshop_id": 1, "nonce": "abcdefgh12", "code": "X"', "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"workshop_id=1", "application/x-www-form-urlencoded"),
    (b"", "application/json"),
])
@pytest.mark.parametrize("url", ["/api/v1/redemptions", "/api/v1/redemptions/batch", "/api/v1/workshops"])
def test_malformed_json_gets_a_clear_json_400(trainer_client, body, content_type, url):
    client, _workshop = trainer_client
    response = client.client.post(url, data=body, headers={"X-CSRFToken": client.csrf, "Content-Type": content_type})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["reason"] == "bad_request" and response.get_json()["message"]


@pytest.mark.parametrize("url", ["/api/v1/redemptions", "/api/v1/redemptions/batch", "/login"])
def test_oversized_bodies_get_a_clear_413(trainer_client, url):
    client, _workshop = trainer_client
    body = b'{"items": [' + b'"x",' * 400_000 + b'"x"]}'
    response = client.client.post(url, data=body, headers={"X-CSRFToken": client.csrf,
                                                           "Content-Type": "application/json"})
    assert response.status_code == 413
    if url.startswith("/api/"):
        assert response.get_json()["reason"] == "too_large"
    else:
        assert "Envoi trop volumineux" in response.get_data(as_text=True)
