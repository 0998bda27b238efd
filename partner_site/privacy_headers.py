"""Headers that keep personal data out of caches and powerful features out of pages.

- `Cache-Control: no-store` on every answer to a signed-in user, every page that carries a CSRF
  token (the login page) and every download: they hold personal data, IBANs or check codes, and a
  shared computer's browser cache or a proxy must not keep them. Static files keep their caching.
- `Permissions-Policy`: no page may use the camera, microphone, location and the like, except
  the scan page, which may open the camera for this site only.
"""
from flask import Flask, g, request, session
from flask_login import AnonymousUserMixin

from .http import is_document

CAMERA_PAGES = {"workshops.scan"}
DENIED = ("accelerometer", "autoplay", "bluetooth", "display-capture", "geolocation", "gyroscope", "hid",
          "magnetometer", "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking")


def permissions_policy(endpoint: str | None) -> str:
    """Return the Permissions-Policy of a page: camera for this site on the scan page only."""
    camera = "(self)" if endpoint in CAMERA_PAGES else "()"
    return ", ".join([f"camera={camera}", *(f"{feature}=()" for feature in DENIED)])


def _private(response) -> bool:
    """Say whether an answer may hold personal data, bank details, check codes or a CSRF token."""
    return "Content-Disposition" in response.headers or "csrf_token" in g or _signed_in()


def _signed_in() -> bool:
    """Say whether the answer goes to a signed-in person, without touching the database.

    This runs after every answer, including the 503 for a database that has gone away: asking
    `current_user.is_authenticated` there would load (or refresh) the person from the database
    and turn that clean 503 into a 500. A session that names a person counts as signed in.
    """
    user = g.get("_login_user")
    if user is None:
        return bool(session.get("_user_id"))
    return not isinstance(user, AnonymousUserMixin)


def register_privacy_headers(app: Flask) -> None:
    """Add Cache-Control and Permissions-Policy to every answer."""

    @app.after_request
    def privacy_headers(response):
        if is_document(response):
            response.headers["Permissions-Policy"] = permissions_policy(request.endpoint)
        if request.endpoint != "static" and _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response
