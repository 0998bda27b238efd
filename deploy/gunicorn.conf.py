"""gunicorn in production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`, behind the TLS reverse proxy.

Each setting can be changed from the environment (below) or on the command line. See
docs/operations.md, Production.
"""
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

# Where the reverse proxy sends requests (deploy/nginx.conf's upstream); never exposed directly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a scan is one short database transaction. Each worker keeps up to 10 PostgreSQL
# connections (pool 5 + overflow 5): workers x instances x 10 must stay under max_connections.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# A request longer than this is killed: long work belongs to background jobs, not to requests.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # on reload (HUP) or stop, requests under way get this long to finish
max_requests, max_requests_jitter = 2000, 200  # workers are replaced now and then: no slow leak lasts
worker_tmp_dir = "/dev/shm"  # the workers' heartbeat files: never blocked by a slow disk
control_socket_disable = True  # systemd runs it (reload: HUP); no socket written under $HOME

# Only the reverse proxy may say the request came over HTTPS (X-Forwarded-Proto). The app reads
# the client's address from X-Forwarded-For with PROXY_FIX=1 (one proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs on stdout and stderr: journald (deploy/systemd) keeps them.
accesslog = "-"
errorlog = "-"
# The client (as the proxy saw it), the path without its query string, status, size, duration,
# user agent. No query string and no Referer: either may carry a token from a link.
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

SECRET_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{20,}(?=/|$)")


class AccessLogger(Logger):
    """gunicorn's logger, with path segments that look like secrets (an invitation link's token) hidden."""

    def atoms(self, resp, req, environ, request_time):
        """Return the log line's fields, the path's secret-looking segments replaced."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = SECRET_SEGMENT.sub("/[redacted]", atoms["U"])
        return atoms


logger_class = AccessLogger
