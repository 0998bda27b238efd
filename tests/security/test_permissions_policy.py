"""Permissions-Policy: no page may use the camera, microphone or location, except the scan page's camera."""
import pytest

from ..helpers import ApiClient, Factory

DENIED_EVERYWHERE = ("microphone", "geolocation", "payment", "usb")


def _policy(response) -> dict[str, str]:
    header = response.headers.get("Permissions-Policy", "")
    return {part.split("=", 1)[0].strip(): part.split("=", 1)[1].strip() for part in header.split(",") if "=" in part}


@pytest.mark.parametrize("url", ["/login", "/no-such-page", "/sw.js"])
def test_every_page_denies_camera_microphone_and_location(client, url):
    response = client.get(url)
    policy = _policy(response)
    response.close()
    assert policy.get("camera") == "()"
    assert all(policy.get(feature) == "()" for feature in DENIED_EVERYWHERE), policy


def test_only_the_scan_page_may_open_the_camera_and_only_for_this_site(app, factory):
    trainer = factory.user("trainer")
    workshop = factory.workshop(trainer.partner)
    client = ApiClient(app, trainer.email, Factory.PASSWORD)
    scan = client.get(f"/workshops/{workshop.id}/scan")
    assert scan.status_code == 200
    policy = _policy(scan)
    assert policy.get("camera") == "(self)"
    assert all(policy.get(feature) == "()" for feature in DENIED_EVERYWHERE), policy
    home = _policy(client.get("/workshops/"))
    assert home.get("camera") == "()"
