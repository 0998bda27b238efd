"""Run the real application under gunicorn for tests that need real HTTP and processes."""
import os
import socket
import subprocess
import sys
import time

import requests

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """One gunicorn instance of wsgi:app on a free port of 127.0.0.1."""

    def __init__(self, env: dict, workers: int = 2, threads: int = 1, tls: tuple[str, str] | None = None):
        """Start it; with `tls` (certificate and key files) it serves HTTPS, as `make run-https` does."""
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        options = ["--certfile", tls[0], "--keyfile", tls[1]] if tls else []
        # Its log goes to a file, never a pipe nobody reads (a full pipe would block the server):
        # test-artifacts/gunicorn-<port>.log, to read when a test fails.
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.log_path = os.path.join(ARTIFACTS, f"gunicorn-{self.port}.log")
        self.log = open(self.log_path, "w+b")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--threads", str(threads), "--graceful-timeout", "2", *options, "wsgi:app"],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + 120  # generous: a loaded 2-core machine starts slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.errors()[-2000:])
            try:
                if requests.get(self.url + "/healthz", timeout=1, verify=tls[0] if tls else True).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 120 s")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def errors(self) -> str:
        """Return what the server wrote to its log so far."""
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()


def server_env(app) -> dict:
    """Return the environment that makes a server share the test app's database and keys."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    return {"DATABASE_URL": uri, "SIGNING_KEYS_FILE": app.extensions["keyring"].path,
            "SECRET_KEY": app.config["SECRET_KEY"], "RATELIMIT_ENABLED": "0",
            "INSTANCE_PATH": os.path.dirname(app.extensions["keyring"].path)}


class Browserless:
    """A person's session against a real server: log in through the form, then call the API."""

    def __init__(self, base_url: str, email: str, password: str):
        import re

        self.base = base_url
        self.http = requests.Session()
        page = self.http.get(base_url + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        done = self.http.post(base_url + "/login", data={"email": email, "password": password, "csrf_token": token},
                              allow_redirects=False, timeout=10)
        assert done.status_code == 302, done.text[:500]
        if "/login/" in done.headers["Location"]:  # staff: the second step, with the authenticator's code
            self._second_step(done.headers["Location"], email)
        home = self.http.get(base_url + "/", timeout=10).text
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)

    def _second_step(self, location: str, email: str):
        import re

        from .helpers import candidate_codes, totp_secret_of

        url = location if "://" in location else self.base + location
        page = self.http.get(url, timeout=10).text
        enrolling = "/login/enrol" in url
        secret = (re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
                  if enrolling else totp_secret_of(email))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        for attempt, code in enumerate(candidate_codes(secret)):
            answer = self.http.post(url, data={"code": code, "csrf_token": token}, allow_redirects=False, timeout=10)
            if answer.status_code == 302 or 'class="codes"' in answer.text:
                return
            assert attempt < 6, answer.text[:500]

    def post_json(self, path: str, body: dict):
        return self.http.post(self.base + path, json=body, headers={"X-CSRFToken": self.csrf}, timeout=60)
