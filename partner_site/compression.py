"""Compression of what the app serves (gunicorn alone must send phones small answers).

Flask-Compress picks the encoding the browser accepts. Static files reach it as open-file
streams, which it would compress anew on every request (and leave the file for the garbage
collector to close): they are read whole first, so each version of a file is compressed once
per encoding and kept in memory. Pages (HTML) are not compressed, see `Config.COMPRESS_MIMETYPES`.
"""
import os

from flask import Flask, current_app, request

from .extensions import compress


class StaticFilesCache:
    """Keep compressed static files; everything else (keys without a file version) is never kept."""

    def __init__(self):
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self.data[key] = value


def static_version_key(req) -> str:
    """Name a static file's version (path and modification time); empty for anything else."""
    if req.endpoint != "static":
        return ""
    path = os.path.join(current_app.static_folder, req.view_args.get("filename", ""))
    try:
        return f"{req.path}:{os.stat(path).st_mtime_ns}"
    except OSError:
        return ""


def init_compression(app: Flask) -> None:
    app.config.setdefault("COMPRESS_CACHE_BACKEND", StaticFilesCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", static_version_key)
    compress.init_app(app)

    @app.after_request  # registered after Flask-Compress's hook, so it runs before it
    def read_static_files_whole(response):
        if request.endpoint == "static" and response.status_code == 200 and response.direct_passthrough:
            response.direct_passthrough = False
            response.make_sequence()  # the file is closed when the response is
        return response
