from flask import current_app, jsonify

from . import bp


@bp.get("/keys")
def public_keys():
    """Publish the public keys that verify ticket codes, with their ids (no secret here)."""
    keys = [k for k in current_app.extensions["keyring"].describe() if k["retired_at"] is None]
    response = jsonify({"keys": keys})
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
