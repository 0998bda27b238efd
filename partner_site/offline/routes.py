import os

from flask import Response, current_app

from . import bp


def _static_text(name: str) -> str:
    with open(os.path.join(current_app.static_folder, name), encoding="utf-8") as source:
        return source.read()


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from the root, so its scope covers /workshops/; browsers check it on each visit."""
    return Response(_static_text("js/sw.js"), mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/manifest.webmanifest")
def manifest():
    """Serve the web app manifest: the trainer's workshops, installable on a phone's home screen."""
    return Response(_static_text("manifest.webmanifest"), mimetype="application/manifest+json",
                    headers={"Cache-Control": "public, max-age=3600"})
