"""One-time invitation links: the invited person chooses a password and joins."""
from flask import Blueprint

bp = Blueprint("invitations", __name__)

from . import routes  # noqa: E402,F401
