from flask import current_app, send_from_directory

from . import bp


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from the root, so its scope covers /workshops/ (and never cache it long)."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Serve the web app manifest: the trainer's workshops, installable on a phone's home screen."""
    return send_from_directory(current_app.static_folder, "manifest.webmanifest",
                               mimetype="application/manifest+json", max_age=3600)
