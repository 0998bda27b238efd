"""JSON API v1, for the scan pages and the associations' own tools."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import claims, keys, redemptions, sync, workshops  # noqa: E402,F401
from .openapi import openapi  # noqa: E402,F401
