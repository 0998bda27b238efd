"""The production install of docs/operations.md, followed step by step on the committed tree.

Only the files git tracks are copied (nothing git-ignored, no node_modules/), into a fresh virtual
environment installed from requirements.txt, against a fresh PostgreSQL database migrated with
FLASK_ENV=production, served by gunicorn with deploy/gunicorn.conf.py. The test then stands where
the reverse proxy stands (it sends X-Forwarded-* headers, and Secure cookies over its plain
connection); when nginx is installed, deploy/nginx.conf itself is put in front, with TLS.
"""
import getpass
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .servers import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL")
HOST = "pass-numerique.example.fr"  # the name the proxy forwards
CLIENT_IP = "203.0.113.7"
PASSWORD = "mot-de-passe-de-production"


@dataclass
class Install:
    root: Path  # the exported tree, as /srv/pass-numerique
    venv: Path
    env: dict

    def flask(self, *args, check=True) -> subprocess.CompletedProcess:
        """Run `flask --app wsgi ARGS` with the production environment, as an operator would."""
        done = subprocess.run([str(self.venv / "bin" / "flask"), "--app", "wsgi", *args], cwd=self.root,
                              env=self.env, capture_output=True, text=True, timeout=300)
        assert not check or done.returncode == 0, done.stdout + done.stderr
        return done


def _export_committed_tree(target: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the production test exports the files git tracks")
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():  # a file deleted but not yet committed is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _fresh_database(name: str) -> str:
    import psycopg

    base = PG_URL.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def install(tmp_path_factory):
    """Steps 1 to 5 of docs/operations.md, Production: code, virtualenv, settings, database, accounts."""
    if not PG_URL:
        pytest.skip("the production install runs on PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    base = tmp_path_factory.mktemp("production")
    srv, state = base / "srv", base / "var"
    srv.mkdir()
    _export_committed_tree(srv)
    assert not (srv / "node_modules").exists() and (srv / "static/vendor/jsqr/jsQR.js").is_file()
    venv = srv / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                          "-r", "requirements.txt"], cwd=srv, capture_output=True, text=True, timeout=1800)
    assert pip.returncode == 0, pip.stderr[-3000:]
    database = PG_URL.rsplit("/", 1)[1].split("?")[0] + "_prod"
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(base),
           "FLASK_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": _fresh_database(database), "REDIS_URL": "redis://127.0.0.1:6379/0",
           "INSTANCE_PATH": str(state), "PROXY_FIX": "1", "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
           "GUNICORN_WORKERS": "2"}
    done = Install(srv, venv, env)
    done.flask("db", "upgrade")
    done.flask("users", "create", "--email", "instructeur@cd31.example", "--password", PASSWORD,
               "--role", "instructor")
    keys = done.flask("keys", "list")  # creates the signing keys on first use, in INSTANCE_PATH
    assert '"kid": 1' in keys.stdout and oct((state / "signing_keys.json").stat().st_mode)[-3:] == "600"
    return done


@pytest.fixture(scope="module")
def gunicorn(install):
    """Step 6: gunicorn with deploy/gunicorn.conf.py; its access log is kept to be read."""
    log = install.root.parent / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(install.venv / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                    "wsgi:app"], cwd=install.root, env=install.env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = "http://" + install.env["GUNICORN_BIND"]
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "gunicorn did not answer within 60 s: " + log.read_text()[-3000:]
        time.sleep(0.2)
    yield url, log
    process.terminate()
    process.wait(timeout=40)


@pytest.fixture(scope="module")
def workshop(install):
    """A partner, a trainer and today's workshop, as the back office and a manager would set them up."""
    script = (
        "from datetime import datetime, time\n"
        "from wsgi import app\n"
        "from partner_site.domain.clock import local_today, to_utc_naive\n"
        "from partner_site.extensions import db\n"
        "from partner_site.models import Partner, PartnerStatus, Workshop\n"
        "with app.app_context():\n"
        "    partner = Partner(name='Association Cagire Numérique', siret='44306184100047', commune_insee='31020',\n"
        "                      status=PartnerStatus.ACCREDITED, rural=True)\n"
        "    db.session.add(partner)\n"
        "    db.session.flush()\n"
        "    day = local_today()\n"
        "    workshop = Workshop(partner_id=partner.id, title='Créer son adresse e-mail', place='Mairie',\n"
        "                        starts_at=to_utc_naive(datetime.combine(day, time(0, 5))),\n"
        "                        ends_at=to_utc_naive(datetime.combine(day, time(23, 55))), capacity=10,\n"
        "                        tickets_per_participant=1, commune_insee='31020')\n"
        "    db.session.add(workshop)\n"
        "    db.session.commit()\n"
        "    print(partner.id, workshop.id)\n")
    made = subprocess.run([str(install.venv / "bin" / "python"), "-c", script], cwd=install.root, env=install.env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    partner_id, workshop_id = made.stdout.split()
    install.flask("users", "create", "--email", "formateur@cagire.example", "--password", PASSWORD,
                  "--role", "trainer", "--partner", partner_id)
    return int(workshop_id)


class _BehindTheProxy(requests.Session):
    """A browser's session as the TLS proxy relays it: cookies marked Secure go on over the plain hop."""

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


class _TrustOne(requests.adapters.HTTPAdapter):
    """Trust one self-signed certificate (OpenSSL 3 takes a leaf as trust anchor only with PARTIAL_CHAIN)."""

    def __init__(self, cafile: str):
        self.context = ssl.create_default_context(cafile=cafile)
        self.context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        return super().init_poolmanager(*args, **{**kwargs, "ssl_context": self.context})


def _session(cafile: str | None = None) -> requests.Session:
    session = _BehindTheProxy()
    if cafile:
        session.mount("https://", _TrustOne(cafile))
    return session


def _log_in(base_url: str, email: str, headers: dict, origin: str, cafile: str | None = None) -> requests.Session:
    """Log in through the form; `origin` is the site's address as the browser sees it (CSRF checks the Referer)."""
    session = _session(cafile)
    session.headers.update(headers)
    page = session.get(base_url + "/login", timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    done = session.post(base_url + "/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                        headers={"Referer": origin + "/login"},
                        allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text[-2000:]
    assert "Secure" in done.headers["Set-Cookie"] and "HttpOnly" in done.headers["Set-Cookie"]
    return session


PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_IP, "X-Forwarded-Host": HOST}


def _check_scan_page(session: requests.Session, base_url: str, workshop_id: int) -> None:
    """Open the scan page; each script it loads, the QR decoder and Ed25519 are served as JavaScript."""
    page = session.get(f"{base_url}/workshops/{workshop_id}/scan", timeout=30)
    assert page.status_code == 200 and "Créer son adresse e-mail" in page.text
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")  # the app knows it is on HTTPS
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', page.text)
    scripts += re.findall(r'data-(?:jsqr|noble)-src="([^"]+)"', page.text)
    assert any(s.endswith("/vendor/jsqr/jsQR.js") for s in scripts) and len(scripts) >= 3, scripts
    for src in scripts:
        served = session.get(base_url + src, timeout=30)
        assert served.status_code == 200, src
        assert served.headers["Content-Type"].split(";")[0] in ("text/javascript", "application/javascript"), src
    decoder = session.get(base_url + "/static/vendor/jsqr/jsQR.js", timeout=30)
    assert decoder.content == (ROOT / "static/vendor/jsqr/jsQR.js").read_bytes()


def test_the_documented_install_serves_the_scan_page_with_its_qr_decoder(install, gunicorn, workshop):
    url, _log = gunicorn
    trainer = _log_in(url, "formateur@cagire.example", PROXY_HEADERS, f"https://{HOST}")
    _check_scan_page(trainer, url, workshop)


def test_the_access_log_shows_the_client_and_no_query_string_nor_token(install, gunicorn):
    url, log = gunicorn
    token = secrets.token_urlsafe(32)
    requests.get(f"{url}/invitation/{token}?next=/secret-in-query", headers=PROXY_HEADERS, timeout=30)
    requests.get(f"{url}/healthz?token=another-secret", headers=PROXY_HEADERS, timeout=30)
    time.sleep(0.5)  # gunicorn writes the access line once the response is sent
    lines = log.read_text()
    assert f'{CLIENT_IP} ' in lines and '"GET /invitation/[redacted] HTTP/1.1" 404' in lines
    assert token not in lines and "secret" not in lines and '"GET /healthz HTTP/1.1" 200' in lines


def test_the_scheduled_jobs_run_with_the_production_settings(install):
    assert install.flask("campaigns", "expire-due").stdout.strip() == '{"campaigns": [], "tickets_expired": 0}'
    assert install.flask("beneficiaries", "purge").stdout.strip() == '{"anonymised": 0}'
    notify = install.flask("claims", "notify", check=False)
    assert notify.returncode == 1 and "MAIL_SERVER is not set" in notify.stderr


def _nginx() -> str:
    found = os.environ.get("NGINX") or shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if not found:
        pytest.skip("nginx is not installed (apt-get install nginx-light, or NGINX=/path/to/nginx): "
                    "deploy/nginx.conf is checked only with nginx")
    return found


@pytest.fixture(scope="module")
def nginx(install, gunicorn):
    """deploy/nginx.conf in front of gunicorn, on free ports, with a self-signed certificate."""
    binary = _nginx()
    from partner_site.cli.devcert import make_certificate

    work = install.root.parent / "nginx"
    for folder in ("tmp", "log"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    cert, key, _fresh = make_certificate(str(work / "tls"), ["localhost", "127.0.0.1"])
    plain, tls = free_port(), free_port()
    site = (install.root / "deploy/nginx.conf").read_text()
    for old, new in [("server 127.0.0.1:8000;", f"server {install.env['GUNICORN_BIND']};"),
                     ("listen [::]:80;", ""), ("listen [::]:443 ssl http2;", ""),
                     ("listen 80;", f"listen 127.0.0.1:{plain};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl http2;"),
                     ("/etc/letsencrypt/live/pass-numerique.example.fr/fullchain.pem", cert),
                     ("/etc/letsencrypt/live/pass-numerique.example.fr/privkey.pem", key),
                     ("/var/log/nginx/pass-numerique.access.log", str(work / "log/access.log"))]:
        assert old in site, old
        site = site.replace(old, new)
    (work / "site.conf").write_text(site)
    temp = work / "tmp"
    (work / "nginx.conf").write_text(
        f"user {getpass.getuser()};\nworker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/log/error.log;\n"
        "events {}\nhttp {\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  access_log {work}/log/default.log;\n  include {work}/site.conf;\n}}\n")
    config = ["-p", str(work), "-c", str(work / "nginx.conf")]
    tested = subprocess.run([binary, *config, "-t"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    stderr = work / "log/stderr.log"
    with open(stderr, "wb") as out:
        process = subprocess.Popen([binary, *config, "-g", "daemon off;"], stderr=out)
    url = f"https://127.0.0.1:{tls}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, stderr.read_text()
        try:
            _session(cert).get(url + "/healthz", timeout=2)
            break
        except requests.RequestException:
            assert time.monotonic() < deadline, "nginx did not answer within 30 s"
            time.sleep(0.2)
    yield url, f"http://127.0.0.1:{plain}", cert, work / "log/access.log"
    process.terminate()
    process.wait(timeout=10)


def test_nginx_terminates_tls_over_http2_and_forwards_what_the_app_trusts(install, workshop, nginx):
    url, plain, cert, access_log = nginx
    redirect = requests.get(plain + "/login?next=/", allow_redirects=False, timeout=30)
    assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")
    # A browser on port 443 sends the name alone: the test's port is not part of the site's address.
    trainer = _log_in(url, "formateur@cagire.example", {"Host": HOST}, f"https://{HOST}", cafile=cert)
    _check_scan_page(trainer, url, workshop)
    health = trainer.get(url + "/healthz", timeout=30)
    assert len(health.raw.headers.getlist("Strict-Transport-Security")) == 1  # the app's, not the proxy's too
    version = subprocess.run(["curl", "--http2", "--silent", "--cacert", cert, "--output", "/dev/null",
                              "--write-out", "%{http_version}", url + "/healthz"], capture_output=True, text=True)
    assert version.stdout == "2", version.stderr
    token = secrets.token_urlsafe(32)
    _session(cert).get(f"{url}/invitation/{token}?next=/secret-in-query", timeout=30)
    time.sleep(0.5)
    logged = access_log.read_text()
    assert "/invitation/[redacted]" in logged and token not in logged and "secret" not in logged


def test_a_body_over_the_limit_gets_the_apps_answer_then_nginxs(install, nginx):
    url, _plain, cert, _log = nginx
    client = _session(cert)
    over_the_app = client.post(url + "/api/v1/redemptions", data=b"x" * 1_500_000, timeout=60,
                               headers={"Content-Type": "application/json", "Accept": "application/json"})
    assert over_the_app.status_code == 413 and over_the_app.json()["reason"]  # the app's JSON, in French
    over_nginx = client.post(url + "/api/v1/redemptions", data=b"x" * 3_000_000, timeout=60,
                             headers={"Content-Type": "application/json"})
    assert over_nginx.status_code == 413 and "nginx" in over_nginx.text
