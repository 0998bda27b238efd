"""Staff pages for instructors: the queue of submitted claims, line review, approval, corrections."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff/claims")

from . import refused_scans, routes  # noqa: E402,F401
