"""The scheduled jobs (deploy/crontab, deploy/systemd): each does its work once, however often and however
many times at once it runs."""
import json
import threading
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from partner_site.cli.common import domain_call
from partner_site.domain import beneficiaries, campaigns, notifications
from partner_site.domain.clock import local_today
from partner_site.extensions import db
from partner_site.models import (
    AuditEvent,
    BeneficiaryRequest,
    Notification,
    RequestStatus,
    Ticket,
    TicketStatus,
    utcnow,
)

from .bo_helpers import assigned_request, instructor, point
from .smtp_sink import SmtpSink, _Handler


def _count(query) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(query)).scalar_one()


def _events(action: str) -> list[dict]:
    return [json.loads(e.after) for e in db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).scalars()]


@contextmanager
def _rows_held(statement: str):
    """Hold the rows `statement` updates in another connection's open transaction (on SQLite: the write lock)."""
    with db.engine.connect() as conn:
        conn.execute(sa.text(statement))
        try:
            yield
        finally:
            conn.rollback()


def _twice_at_once(app, job, table: str, hold: str) -> list:
    """Run a job twice at once, each in its own thread, session and transaction, as two cron runs would.

    Both start while `hold` keeps `table`'s rows, and go on when both are about to write them, so
    each has read the database before the other changed anything. Return both results. (The jobs
    are called as their commands call them: Click's test runner swaps sys.stdout, one run at a time.)
    """
    about_to_write = threading.Semaphore(0)

    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"UPDATE {table.upper()} "):
            about_to_write.release()

    results = [None, None]

    def run(i):
        with app.app_context(), domain_call():
            results[i] = job()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    with _rows_held(hold):
        sa.event.listen(db.engine, "before_cursor_execute", watch)
        try:
            for thread in threads:
                thread.start()
            assert about_to_write.acquire(timeout=120) and about_to_write.acquire(timeout=120)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", watch)
    for thread in threads:
        thread.join(timeout=120)
    assert None not in results, "a run failed: see the exception above"
    return results


def _ended_campaign(factory, days_after_grace=1, booklets=2, distributed=True):
    """A campaign whose end plus 31 days of grace was `days_after_grace` days ago, with unused tickets."""
    ends = local_today() - timedelta(days=31 + days_after_grace)
    campaign = factory.campaign(starts_on=ends - timedelta(days=300), ends_on=ends, grace_days=31)
    for _ in range(booklets):
        factory.booklet(campaign, distributed=distributed)
    return campaign


def test_expire_due_expires_every_campaign_past_its_grace_and_nothing_else(app, factory, runner):
    due = _ended_campaign(factory)
    stock_only = _ended_campaign(factory, days_after_grace=200, distributed=False)
    in_grace = _ended_campaign(factory, days_after_grace=-1)
    running = factory.campaign()
    factory.booklet(running)
    result = runner.invoke(args=["campaigns", "expire-due"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"campaigns": [{"id": due.id, "tickets_expired": 20},
                                                       {"id": stock_only.id, "tickets_expired": 20}],
                                         "tickets_expired": 40}
    expired = sa.select(Ticket).where(Ticket.status == TicketStatus.EXPIRED).subquery()
    assert _count(expired) == 40
    assert _count(sa.select(Ticket).where(Ticket.campaign_id.in_([in_grace.id, running.id]),
                                          Ticket.status == TicketStatus.EXPIRED).subquery()) == 0
    again = runner.invoke(args=["campaigns", "expire-due"])
    assert json.loads(again.output) == {"campaigns": [], "tickets_expired": 0}
    assert _events("campaign.expired") == [{"tickets_expired": 20}, {"tickets_expired": 20}]


def test_expire_due_run_twice_at_once_expires_each_ticket_once(app, factory):
    campaign = _ended_campaign(factory, booklets=3)
    results = _twice_at_once(app, lambda: campaigns.expire_due("cli", local_today()), "tickets",
                             f"UPDATE tickets SET changed_at = changed_at WHERE campaign_id = {campaign.id}")
    assert sorted(results, key=len) == [{}, {campaign.id: 30}]
    assert _events("campaign.expired") == [{"tickets_expired": 30}]
    assert _count(sa.select(Ticket).where(Ticket.status == TicketStatus.EXPIRED).subquery()) == 30


def _closed_requests(factory, count: int, days_ago: int):
    staff, where = instructor(factory), point()
    requests = [assigned_request(factory, staff, where, last_name=f"Personne {i}") for i in range(count)]
    db.session.execute(sa.update(BeneficiaryRequest).values(
        status=RequestStatus.CLOSED, close_reason="Carnet utilisé", closed_at=utcnow() - timedelta(days=days_ago),
        status_changed_at=utcnow()))
    db.session.commit()
    return requests


def test_purge_without_a_period_keeps_requests_for_the_configured_retention(app, factory, runner):
    _closed_requests(factory, 2, days_ago=40)
    app.config["REQUEST_RETENTION_DAYS"] = 60
    assert json.loads(runner.invoke(args=["beneficiaries", "purge"]).output) == {"anonymised": 0}
    app.config["REQUEST_RETENTION_DAYS"] = 30
    assert json.loads(runner.invoke(args=["beneficiaries", "purge"]).output) == {"anonymised": 2}
    assert json.loads(runner.invoke(args=["beneficiaries", "purge"]).output) == {"anonymised": 0}
    assert _count(sa.select(BeneficiaryRequest).where(BeneficiaryRequest.last_name == "").subquery()) == 2


def test_purge_run_twice_at_once_anonymises_each_request_once(app, factory):
    _closed_requests(factory, 3, days_ago=400)
    results = _twice_at_once(app, lambda: beneficiaries.purge("cli", 365), "beneficiary_requests",
                             "UPDATE beneficiary_requests SET phone = phone")
    assert sorted(results) == [0, 3]
    assert _count(sa.select(BeneficiaryRequest).where(BeneficiaryRequest.anonymised_at.is_not(None)).subquery()) == 3


class _SlowFirstHandler(_Handler):
    """Keep the first connection waiting before the greeting, as a slow mail server does."""

    def handle(self):
        if not self.server.first_taken.is_set():
            self.server.first_taken.set()
            self.server.release.wait(timeout=60)
        super().handle()


class _SlowFirstSink(SmtpSink):
    def __init__(self):
        super().__init__()
        self.RequestHandlerClass = _SlowFirstHandler
        self.first_taken, self.release = threading.Event(), threading.Event()


def _message(factory, **kw) -> Notification:
    partner = factory.partner()
    notification = Notification(partner_id=partner.id, kind="claim_approved", recipient="contact@asso.example",
                                subject="Demande approuvée", body="Votre demande est approuvée.", **kw)
    db.session.add(notification)
    db.session.commit()
    return notification


def test_notify_while_another_sender_is_sending_does_not_send_the_message_twice(app, factory):
    notification = _message(factory)
    with _SlowFirstSink() as sink:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        first = []

        def send():
            with app.app_context():
                first.append(notifications.deliver_pending(limit=1000))

        sender = threading.Thread(target=send)
        sender.start()
        assert sink.first_taken.wait(timeout=60)  # the first run holds the message and is talking to the server
        second = app.test_cli_runner().invoke(args=["claims", "notify"])
        sink.release.set()
        sender.join(timeout=60)
    assert second.exit_code == 0 and json.loads(second.output) == {"sent": 0}
    assert first == [1]
    assert len(sink.messages) == 1
    db.session.expire_all()
    sent = db.session.get(Notification, notification.id)
    assert sent.sent_at and sent.attempts == 1 and sent.sending_since is None


def test_a_message_left_by_a_sender_that_died_is_sent_after_the_lease(app, factory):
    stale = _message(factory, attempts=1, sending_since=utcnow() - timedelta(minutes=11))
    held = _message(factory, attempts=1, sending_since=utcnow() - timedelta(minutes=1))
    with SmtpSink() as sink:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        result = app.test_cli_runner().invoke(args=["claims", "notify"])
    assert json.loads(result.output) == {"sent": 1} and len(sink.messages) == 1
    db.session.expire_all()
    assert db.session.get(Notification, stale.id).sent_at and db.session.get(Notification, held.id).sent_at is None
