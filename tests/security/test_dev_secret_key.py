"""Outside production, sessions are signed with a random key kept in the instance folder, not a public one."""
import os
import stat

import pytest

from partner_site import create_app


@pytest.fixture
def no_secret(monkeypatch, tmp_path):
    """No SECRET_KEY anywhere, and an instance folder of the test's own."""
    if os.environ.get("SECRET_KEY"):  # read when the configuration was imported
        monkeypatch.setattr("partner_site.config.Config.SECRET_KEY", None)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_ENV", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def _app():
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})


def test_a_random_key_is_generated_once_and_kept_private(no_secret):
    first = _app().config["SECRET_KEY"]
    assert first and first != "dev-only-not-secret" and len(first) >= 32
    files = [name for name in os.listdir(no_secret) if "secret" in name]
    assert len(files) == 1, files
    assert stat.S_IMODE(os.stat(no_secret / files[0]).st_mode) == 0o600
    # Every worker and every restart signs with the same key, or sessions would not survive them.
    assert _app().config["SECRET_KEY"] == first


def test_each_instance_folder_gets_its_own_key(no_secret, monkeypatch, tmp_path):
    first = _app().config["SECRET_KEY"]
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "other"))
    assert _app().config["SECRET_KEY"] != first


def test_a_session_signed_with_the_public_development_key_is_refused(no_secret):
    from flask.sessions import SecureCookieSessionInterface

    app = _app()

    class Forger:
        secret_key = "dev-only-not-secret"
        config = app.config

    forged = SecureCookieSessionInterface().get_signing_serializer(Forger).dumps({"_user_id": "1"})
    client = app.test_client()
    client.set_cookie("session", forged)
    with client:
        client.get("/login")
        from flask import session

        assert "_user_id" not in session


def test_production_still_refuses_to_start_without_a_real_key(no_secret, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _app()
    assert not no_secret.exists() or not [name for name in os.listdir(no_secret) if "secret" in name]
