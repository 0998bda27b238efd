"""Messages to associations about their claims, and to people about their accounts: always kept in the
outbox, e-mailed when SMTP is set.

The message is written in the same transaction as the change it announces (an outbox), and
sent only after that transaction commits, so nobody is told of a change that was rolled back.
"""
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import after_this_request, current_app
from flask_babel import gettext as _

from ..extensions import db
from ..formatting import money
from ..models import Claim, Notification, Role, User, utcnow

APPROVED = "claim_approved"
PARTLY_REJECTED = "claim_partly_rejected"
PAID = "claim_paid"
CLAIM_KINDS = (APPROVED, PARTLY_REJECTED, PAID)
MAX_ATTEMPTS = 5
SENDING_LEASE = timedelta(minutes=10)  # far beyond one message's SMTP timeouts


def recipient_for(partner) -> str:
    """Return where a partner's messages go: its contact address, else its first manager's."""
    if partner.contact_email:
        return partner.contact_email
    manager = db.session.execute(sa.select(User.email).where(
        User.partner_id == partner.id, User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id)).first()
    return manager[0] if manager else ""


def queue(kind: str, recipient: str, subject: str, body: str, partner_id: int | None = None,
          claim_id: int | None = None) -> Notification:
    """Write a message in the outbox, in the caller's transaction."""
    notification = Notification(partner_id=partner_id, claim_id=claim_id, kind=kind, recipient=recipient,
                                subject=subject, body=body)
    db.session.add(notification)
    return notification


def _queue(claim: Claim, kind: str, subject: str, body: str) -> Notification:
    return queue(kind, recipient_for(claim.partner), subject, body, partner_id=claim.partner_id, claim_id=claim.id)


def claim_reviewed(claim: Claim) -> Notification:
    """Tell the association its claim is approved, saying which tickets were rejected and why."""
    period = period_label(claim.period)
    if not claim.rejected_count:
        subject = _("Demande %(ref)s approuvée", ref=claim.reference)
        if claim.total_cents == 0:
            body = _("Votre demande de remboursement %(ref)s (%(period)s) est approuvée. Ses ajustements "
                     "compensent ses tickets : aucun virement ne sera fait.", ref=claim.reference, period=period)
        else:
            body = _("Votre demande de remboursement %(ref)s (%(period)s) est approuvée pour %(total)s. "
                     "Le paiement suivra dans un prochain lot de virements.",
                     ref=claim.reference, period=period, total=money(claim.total_cents))
        return _queue(claim, APPROVED, subject, body)
    from .claim_views import rejected_lines

    reasons = "\n".join(f"- {line.serial} : {line.reject_reason}" for line in rejected_lines([claim.id]))
    subject = _("Demande %(ref)s approuvée en partie", ref=claim.reference)
    body = _("Votre demande de remboursement %(ref)s (%(period)s) est approuvée pour %(total)s. "
             "%(count)s ticket(s) refusé(s) :\n%(reasons)s\n"
             "Le détail est sur votre espace, rubrique Remboursements.",
             ref=claim.reference, period=period, total=money(claim.total_cents), count=claim.rejected_count,
             reasons=reasons)
    return _queue(claim, PARTLY_REJECTED, subject, body)


def claim_paid(claim: Claim, payment) -> Notification:
    """Tell the association its claim was paid: amount, date and the account it went to."""
    batch = payment.batch
    subject = _("Demande %(ref)s payée", ref=claim.reference)
    body = _("Votre demande de remboursement %(ref)s (%(period)s) a été payée : %(total)s virés le %(day)s "
             "sur le compte %(iban)s (libellé du virement : %(ref)s, lot %(batch)s).",
             ref=claim.reference, period=period_label(claim.period), total=money(payment.amount_cents),
             day=batch.executed_on.strftime("%d/%m/%Y"), iban=payment.bank_account.masked_iban,
             batch=batch.reference)
    return _queue(claim, PAID, subject, body)


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def period_label(period) -> str:
    """Name a claim's month in French: mars 2021."""
    return f"{MONTHS[period.month - 1]} {period.year}"


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def deliver_pending(limit: int = 100) -> int:
    """E-mail the outbox's unsent messages when SMTP is configured; return how many were sent.

    Each message is claimed before it is sent (see `_claim`), so two senders running at once (a
    page after its commit, the `claims notify` job) never send it twice. Commits after each
    message, so one that fails does not undo those sent before it.
    """
    if not smtp_configured():
        return 0
    sent = 0
    pending = db.session.execute(sa.select(Notification.id).where(
        Notification.sent_at.is_(None), Notification.recipient != "", Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id).limit(limit)).scalars().all()
    for notification_id in pending:
        if not _claim(notification_id):
            continue
        notification = db.session.get(Notification, notification_id)
        try:
            _send(notification)
        except (OSError, smtplib.SMTPException) as err:
            notification.last_error = str(err)[:300]
        else:
            notification.sent_at, notification.last_error = utcnow(), None
            sent += 1
        notification.sending_since = None
        db.session.commit()
    return sent


def deliver_after_response() -> None:
    """E-mail the outbox once the current answer is sent, so that its timing tells nothing."""
    app = current_app._get_current_object()

    @after_this_request
    def _later(response):
        def deliver():
            with app.app_context():
                deliver_pending()

        response.call_on_close(deliver)
        return response


def _claim(notification_id: int) -> bool:
    """Take an unsent message for this sender and count the attempt; False if another sender holds it.

    A conditional update committed at once: of two senders, one changes the row and the other
    finds nothing to change. A claim left by a sender that died is free again after SENDING_LEASE.
    """
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Notification).where(
            Notification.id == notification_id, Notification.sent_at.is_(None),
            Notification.attempts < MAX_ATTEMPTS,
            sa.or_(Notification.sending_since.is_(None), Notification.sending_since < now - SENDING_LEASE))
        .values(attempts=Notification.attempts + 1, sending_since=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(claimed)


def _send(notification: Notification) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = notification.recipient
    message["Subject"] = notification.subject
    message.set_content(notification.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)


def outbox(page: int = 1, per_page: int = 50):
    """Return a page of the messages to associations about claims, newest first, and the total.

    Messages about accounts are left out: they carry one-time links, and whether one says
    "you already have an account" is for its addressee alone.
    """
    about_claims = Notification.kind.in_(CLAIM_KINDS)
    total = db.session.execute(sa.select(sa.func.count()).select_from(Notification).where(about_claims)).scalar_one()
    rows = db.session.execute(sa.select(Notification).where(about_claims)
                              .options(sa.orm.joinedload(Notification.partner))
                              .order_by(Notification.id.desc()).limit(per_page).offset((page - 1) * per_page)
                              ).scalars().all()
    return rows, total
