"""The scan page's offline shell: the service worker and the web app manifest, served from the site root."""
from flask import Blueprint

bp = Blueprint("offline", __name__)

from . import routes  # noqa: E402,F401
