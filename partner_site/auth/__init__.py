"""Signing in (password, then a second factor for staff) and out; passwords forgotten or changed."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import account, routes  # noqa: E402,F401
