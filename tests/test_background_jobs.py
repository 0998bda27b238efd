"""Long work runs in the background: a real consumer process takes jobs from the real queue (SQLite or Redis).

A print too large for a request becomes a job; its page shows progress, then the file, to the
person who asked and to nobody else; a failure says what to do in French; old files are purged.
"""
import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from partner_site.backoffice.beneficiaries import SYNC_LETTERS
from partner_site.backoffice.campaigns import SYNC_BOOKLETS
from partner_site.domain import booklets as booklet_ops
from partner_site.domain.codes import format_serial, ticket_serial
from partner_site.extensions import db
from partner_site.jobs import runner as jobs
from partner_site.models import Booklet, Job, JobStatus, Role, Ticket, utcnow

from .bo_helpers import assigned_request, instructor, point
from .browser_support import log_in
from .helpers import ApiClient, Factory, pdf_fonts
from .servers import ROOT, server_env


@contextmanager
def worker(app, tmp_path, **env):
    """Run the real consumer, `flask --app wsgi jobs worker`, on the test app's database, queue and folder."""
    config = {"JOBS_QUEUE_URL": app.config["JOBS_QUEUE_URL"], "JOBS_DIR": app.config["JOBS_DIR"],
              "JOBS_QUEUE_NAME": app.config.get("JOBS_QUEUE_NAME") or "", **server_env(app), **env}
    log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
                                   env={**os.environ, **config}, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(log.read_text()[-3000:])  # shown by pytest when the test fails


def wait_until_finished(client, job_id: int, timeout: float = 120) -> dict:
    """Poll the job's progress as the page's script does; return its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = client.get(f"/bo/jobs/{job_id}/progress").get_json()
        if progress["finished"]:
            return progress
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {progress} after {timeout} s")


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    found = re.search(r"/bo/jobs/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _download(client, job_id: int) -> bytes:
    """Download a job's file (closing the response, which holds the file open)."""
    response = client.get(f"/bo/jobs/{job_id}/file")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    try:
        return response.get_data()
    finally:
        response.close()


def _campaign_of(factory, booklets: int):
    campaign = factory.campaign(name="Pass numérique Haute-Garonne 2021")
    booklet_ops.generate("test", campaign, booklets)
    db.session.commit()
    return campaign


def _last_booklet(campaign):
    return db.session.execute(sa.select(Booklet).where(Booklet.campaign_id == campaign.id)
                              .order_by(Booklet.number.desc()).limit(1)).scalar_one()


def test_a_large_print_runs_in_the_background_and_only_its_requester_downloads_it(app, factory, login, tmp_path):
    campaign = _campaign_of(factory, SYNC_BOOKLETS + 1)
    asker, colleague = instructor(factory), instructor(factory)
    client = login(asker)
    job_id = _job_id(client.form(f"/bo/campaigns/{campaign.id}/print", {"serials": ""}))

    queued = client.get(f"/bo/jobs/{job_id}").get_data(as_text=True)
    assert "En attente" in queued and '<noscript><meta http-equiv="refresh" content="3"></noscript>' in queued
    assert "js/jobs.js" in queued  # smoother with JavaScript, and working without it
    with worker(app, tmp_path):
        progress = wait_until_finished(client, job_id)
    assert progress["status"] == "done" and progress["done"] == progress["total"] == SYNC_BOOKLETS + 1

    page = client.get(f"/bo/jobs/{job_id}").get_data(as_text=True)
    assert "Le fichier est prêt" in page and "Télécharger le fichier" in page and "noscript" not in page
    download = client.get(f"/bo/jobs/{job_id}/file")
    download.close()
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "no-store" in download.headers["Cache-Control"]
    assert 'filename=carnets-campagne-' in download.headers["Content-Disposition"]
    pdf = _download(client, job_id)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == SYNC_BOOKLETS + 1
    last = _last_booklet(campaign)
    text = reader.pages[-1].extract_text()
    assert last.serial in text and format_serial(ticket_serial(last.tickets[-1].number)) in text
    assert all(f["embedded"] for f in pdf_fonts(pdf, tmp_path))

    job = db.session.get(Job, job_id)
    assert job.user_id == asker.id and job.status == JobStatus.DONE and job.size == len(pdf)
    assert timedelta(hours=23) < job.expires_at - utcnow() <= timedelta(hours=24)
    assert not os.path.relpath(jobs.file_path(job), ROOT).startswith("static")  # outside the web root

    for other in (login(colleague), login(factory.user(Role.FINANCE))):
        for url in (f"/bo/jobs/{job_id}", f"/bo/jobs/{job_id}/progress", f"/bo/jobs/{job_id}/file"):
            assert other.get(url).status_code == 404, url
        assert "Carnets de la campagne" not in other.get("/bo/jobs/").get_data(as_text=True)
    assert "Carnets de la campagne" in client.get("/bo/jobs/").get_data(as_text=True)


def test_a_few_booklets_still_print_at_once_and_a_large_pdf_is_not_made_in_a_request(app, factory, login):
    campaign = _campaign_of(factory, SYNC_BOOKLETS + 1)
    client = login(instructor(factory))
    serials = db.session.execute(sa.select(Booklet.serial).where(Booklet.campaign_id == campaign.id)
                                 .order_by(Booklet.number).limit(2)).scalars().all()
    quick = client.form(f"/bo/campaigns/{campaign.id}/print", {"serials": " ".join(serials)})
    assert quick.status_code == 302 and "/booklets.pdf?serials=" in quick.headers["Location"]
    assert len(PdfReader(io.BytesIO(client.get(quick.headers["Location"]).get_data())).pages) == 2
    whole = client.get(f"/bo/campaigns/{campaign.id}/booklets.pdf")
    assert whole.status_code == 302 and whole.headers["Location"].endswith(f"/bo/campaigns/{campaign.id}")
    assert "trop pour un PDF immédiat" in client.get(whole.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0


def test_a_failed_job_says_what_happened_in_french(app, factory, login, tmp_path):
    campaign = _campaign_of(factory, SYNC_BOOKLETS + 1)
    client = login(instructor(factory))
    job_id = _job_id(client.form(f"/bo/campaigns/{campaign.id}/print", {}))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # the files' folder cannot be created: a real write failure, even for root
    with worker(app, tmp_path, JOBS_DIR=str(blocker / "jobs")):
        assert wait_until_finished(client, job_id)["status"] == "failed"
    page = client.get(f"/bo/jobs/{job_id}").get_data(as_text=True)
    assert "Échec" in page and "n&#39;a pas pu être écrit sur le serveur" in page and f"tâche : {job_id}" in page
    assert client.get(f"/bo/jobs/{job_id}/file").status_code == 409


def test_a_mailing_of_many_letters_is_a_background_job(app, factory, login, tmp_path):
    where = point()
    staff = instructor(factory)
    campaign = factory.campaign()
    for i in range(SYNC_LETTERS + 1):
        assigned_request(factory, staff, where, campaign, last_name=f"Martin{i:02d}")
    client = login(staff)
    assert client.get("/bo/requests/mailing.pdf").status_code == 302  # too many for a request
    job_id = _job_id(client.form("/bo/requests/mailing", {}))
    with worker(app, tmp_path):
        assert wait_until_finished(client, job_id)["status"] == "done"
    reader = PdfReader(io.BytesIO(_download(client, job_id)))
    assert len(reader.pages) == 2 * (SYNC_LETTERS + 1)  # a letter and its flyer each
    assert f"MARTIN{SYNC_LETTERS:02d}" in reader.pages[-2].extract_text()


def test_an_unreachable_queue_is_said_plainly_and_nothing_runs(app, factory, make_app, tmp_path):
    campaign = _campaign_of(factory, SYNC_BOOKLETS + 1)
    staff = instructor(factory)
    other = make_app(JOBS_QUEUE_URL="redis://127.0.0.1:1/0")  # nothing listens there
    client = ApiClient(other, staff.email, Factory.PASSWORD)
    job_id = _job_id(client.form(f"/bo/campaigns/{campaign.id}/print", {}))
    page = client.get(f"/bo/jobs/{job_id}").get_data(as_text=True)
    assert "Le service des tâches de fond est injoignable" in page
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == JobStatus.FAILED


def test_the_purge_removes_expired_files_and_fails_jobs_whose_worker_died(app, factory, login):
    campaign = _campaign_of(factory, 2)
    staff = instructor(factory)
    done = jobs.create(staff, "booklets_pdf", {"campaign_id": campaign.id}, 2, "Carnets", "carnets.pdf")
    silent = jobs.create(staff, "booklets_pdf", {"campaign_id": campaign.id}, 2, "Carnets", "carnets.pdf")
    db.session.commit()
    jobs.run(done.id)  # the worker's own code, called in the test's process
    db.session.expire_all()
    path = jobs.file_path(done)
    assert done.status == JobStatus.DONE and os.path.exists(path)
    db.session.execute(sa.update(Job).where(Job.id == silent.id).values(  # as a worker killed mid-print leaves it
        status=JobStatus.RUNNING, file_name=f"{silent.id}-killed.pdf", updated_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()

    assert jobs.purge() == {"expired": 0, "interrupted": 1}
    assert os.path.exists(path)
    assert jobs.purge(utcnow() + timedelta(hours=24, minutes=1)) == {"expired": 1, "interrupted": 0}
    db.session.expire_all()
    assert not os.path.exists(path) and done.status == JobStatus.EXPIRED
    assert silent.status == JobStatus.FAILED and "interrompue" in silent.error
    client = login(staff)
    gone = client.get(f"/bo/jobs/{done.id}/file")
    assert gone.status_code == 410 and "supprimé après 24 heures" in gone.get_data(as_text=True)


def test_the_purge_command_prints_what_it_did(app, runner):
    result = runner.invoke(args=["jobs", "purge"])
    assert result.exit_code == 0 and result.output.strip() == '{"expired": 0, "interrupted": 0}'


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping()
    except redis.RedisError as err:
        pytest.skip(f"Redis is not running at 127.0.0.1:6379 ({err}); .ci/run starts it")


def test_jobs_run_the_same_on_redis(app, factory, make_app, tmp_path):
    _redis_or_skip()
    campaign = _campaign_of(factory, SYNC_BOOKLETS + 1)
    staff = instructor(factory)
    name = f"test-jobs-{uuid.uuid4().hex[:8]}"  # a queue of its own on the shared Redis
    on_redis = make_app(JOBS_QUEUE_URL="redis://127.0.0.1:6379/0", JOBS_QUEUE_NAME=name)
    client = ApiClient(on_redis, staff.email, Factory.PASSWORD)
    try:
        job_id = _job_id(client.form(f"/bo/campaigns/{campaign.id}/print", {}))
        with worker(on_redis, tmp_path):
            assert wait_until_finished(client, job_id)["status"] == "done"
        assert len(PdfReader(io.BytesIO(_download(client, job_id))).pages) == SYNC_BOOKLETS + 1
    finally:
        from partner_site.jobs.runner import job_queue

        job_queue(on_redis).huey.flush()


@pytest.mark.slow
def test_a_whole_campaign_of_2000_booklets_prints_through_the_page_under_gunicorn(app, factory, backend, tmp_path):
    """The demo's campaign, printed through gunicorn (whose 30 s timeout cut it before) and read back whole."""
    from .servers import Browserless, Gunicorn

    if backend != "sqlite":
        pytest.skip("the 2,000-booklet print runs once, on SQLite: the PostgreSQL run covers the same job path")
    campaign = _campaign_of(factory, 2000)
    staff = instructor(factory)
    env = {**server_env(app), "JOBS_QUEUE_URL": app.config["JOBS_QUEUE_URL"], "JOBS_DIR": app.config["JOBS_DIR"]}
    with Gunicorn(env) as server, worker(app, tmp_path):
        person = Browserless(server.url, staff.email, Factory.PASSWORD)
        page = person.http.get(f"{server.url}/bo/campaigns/{campaign.id}", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        started = person.http.post(f"{server.url}/bo/campaigns/{campaign.id}/print",
                                   data={"csrf_token": token, "serials": ""}, allow_redirects=False, timeout=30)
        job_url = server.url + started.headers["Location"]
        seen, deadline = [], time.monotonic() + 600
        while time.monotonic() < deadline:
            progress = person.http.get(job_url + "/progress", timeout=30).json()
            seen.append(progress["done"])
            if progress["finished"]:
                break
            time.sleep(1)
        assert progress["status"] == "done", progress
        assert len(set(seen)) > 2 and seen == sorted(seen)  # the bar moved forward while the print ran
        pdf = tmp_path / "campaign.pdf"
        with person.http.get(job_url + "/file", stream=True, timeout=120) as response:
            assert response.status_code == 200
            with open(pdf, "wb") as out:
                for chunk in response.iter_content(1 << 20):
                    out.write(chunk)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 2000
    last = _last_booklet(campaign)
    text = reader.pages[-1].extract_text()
    numbers = db.session.execute(sa.select(Ticket.number).where(Ticket.booklet_id == last.id)).scalars().all()
    assert last.serial in text and all(format_serial(ticket_serial(n)) in text for n in numbers)
    assert all(f["embedded"] for f in pdf_fonts(pdf.read_bytes(), tmp_path))
    print(f"2,000 booklets: {pdf.stat().st_size / 1e6:.1f} MB")


@pytest.mark.browser
def test_the_progress_page_on_a_phone_with_and_without_javascript(app, factory, live_server, browser, tmp_path):
    """A person at 360 px starts a print, watches the bar move, downloads; without JavaScript the page reloads."""
    from .browser_support import ARTIFACTS

    campaign = _campaign_of(factory, 300)
    staff = instructor(factory)
    os.makedirs(ARTIFACTS, exist_ok=True)
    for javascript in (True, False):
        context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                      locale="fr-FR", timezone_id="Europe/Paris")
        page = context.new_page()
        log_in(page, staff.email, Factory.PASSWORD, live_server)  # with the second step
        page.goto(f"{live_server}/bo/campaigns/{campaign.id}")
        page.get_by_role("button", name="PDF pour l'imprimeur").click()
        page.wait_for_url(re.compile(r"/bo/jobs/\d+$"))
        page.get_by_text("En attente").first.wait_for()
        name = "js" if javascript else "nojs"
        page.screenshot(path=os.path.join(ARTIFACTS, f"job-queued-360-{name}.png"))
        with worker(app, tmp_path):
            if javascript:  # the bar moves in place, without a reload
                page.locator("#job-text", has_text=re.compile(r"^[1-9]\d* sur 300 carnets")).wait_for(timeout=180_000)
                assert page.evaluate("document.getElementById('job-progress').value") > 0
                page.screenshot(path=os.path.join(ARTIFACTS, "job-running-360.png"))
                assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
            page.get_by_role("link", name="Télécharger le fichier").wait_for(timeout=180_000)
        page.screenshot(path=os.path.join(ARTIFACTS, f"job-done-360-{name}.png"))
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger le fichier").click()
        assert len(PdfReader(download.value.path()).pages) == 300
        context.close()
