"""The association manager's team pages: trainers, invitations by one-time link, and joining by one."""
from flask import Blueprint

bp = Blueprint("team", __name__)

from . import routes  # noqa: E402,F401
