"""The one place where a ticket becomes money: redeem and void.

The API, the scan pages, the offline sync and the CLI all call `redeem`. Exactly-once is
held by the database: a conditional UPDATE moves the ticket from active to redeemed (only
one transaction can win it, on SQLite and PostgreSQL alike), the workshop's counter is
raised by another conditional UPDATE, and a partial unique index forbids a second live
redemption of a ticket. Reads before the first write take no lock; every refusal found
after it is undone in the same transaction before the failed scan is written.

This is the hot path of every scan: its statements are built once, at import, and read
plain rows rather than ORM objects (`bench/redeem.py` measures it).
"""
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    Campaign,
    Claim,
    ClaimLine,
    ClaimStatus,
    FailedScan,
    LineKind,
    LineStatus,
    PartnerStatus,
    Redemption,
    Ticket,
    TicketStatus,
    Workshop,
    record,
    utcnow,
)
from . import codes
from .clock import french_datetime, to_local
from .errors import DomainError, Refusal
from .workshops import is_open

NONCE_RE = re.compile(r"[A-Za-z0-9_\-]{8,64}")
# A phone's clock may run a little fast or slow: what an offline scan's time may be off by.
MAX_CLOCK_SKEW = timedelta(minutes=10)
MAX_OFFLINE_AGE = timedelta(days=62)  # a phone may stay offline a while, not for a season
# A ticket scanned offline on its last valid day is still paid if it reaches the server within this
# (a weekend without signal); after it, the ticket is judged expired whatever the phone's time says.
UPLOAD_TOLERANCE = timedelta(hours=48)
MAX_ID = 2**31 - 1  # an id beyond the database's integer is no id at all
_p = sa.bindparam

_FIND_BY_NONCE = sa.select(Redemption).where(Redemption.nonce == _p("nonce"))
_TICKET = (
    sa.select(Ticket.id, Ticket.number, Ticket.booklet_id, Ticket.status, Ticket.activated_at,
              Campaign.face_value_cents, Campaign.starts_on, Campaign.ends_on, Campaign.grace_days,
              Campaign.minutes_per_ticket)
    .join(Campaign, Campaign.id == Ticket.campaign_id)
    .where(Ticket.number == _p("number"))
)
_WORKSHOP = sa.select(Workshop.id, Workshop.partner_id, Workshop.starts_at, Workshop.ends_at, Workshop.cancelled_at,
                      Workshop.tickets_per_participant, Workshop.created_at).where(Workshop.id == _p("workshop_id"))
_LIVE_REDEMPTION = sa.select(Redemption.partner_id, Redemption.scanned_at).where(
    Redemption.ticket_id == _p("ticket_id"), Redemption.voided_at.is_(None))
_TAKE_TICKET = (sa.update(Ticket).where(Ticket.id == _p("ticket_id"), Ticket.status == TicketStatus.ACTIVE)
                .values(status=TicketStatus.REDEEMED, changed_at=_p("now")))
_RELEASE_TICKET = (sa.update(Ticket).where(Ticket.id == _p("ticket_id"), Ticket.status == TicketStatus.REDEEMED)
                   .values(status=TicketStatus.ACTIVE, changed_at=_p("now")))
_TAKE_PLACE = (sa.update(Workshop)
               .where(Workshop.id == _p("workshop_id"),
                      Workshop.redeemed_count < Workshop.capacity * Workshop.tickets_per_participant)
               .values(redeemed_count=Workshop.redeemed_count + 1)
               .returning(Workshop.redeemed_count))
_RELEASE_PLACE = (sa.update(Workshop).where(Workshop.id == _p("workshop_id"))
                  .values(redeemed_count=Workshop.redeemed_count - 1))
_SAME_BOOKLET = sa.select(sa.func.count()).select_from(Redemption).where(
    Redemption.workshop_id == _p("workshop_id"), Redemption.booklet_id == _p("booklet_id"),
    Redemption.voided_at.is_(None))
_INSERT_REDEMPTION = sa.insert(Redemption).returning(Redemption.id)
_FIND_CLAIM = sa.select(Claim.id, Claim.status).where(Claim.partner_id == _p("partner_id"), Claim.period == _p("period"))
_INSERT_LINE = sa.insert(ClaimLine)
# Only an open claim changes: a submitted claim's lines are fixed (see `_add_to_claim`, `void`).
_ADD_TO_CLAIM = (sa.update(Claim).where(Claim.id == _p("claim_id"), Claim.status == ClaimStatus.OPEN)
                 .values(total_cents=Claim.total_cents + _p("amount")))
_CORE = {"synchronize_session": False}


def keyring():
    return current_app.extensions["keyring"]


@dataclass
class Accepted:
    """What the scan needs to know of a redemption just written (no ORM object on the hot path)."""

    id: int | None
    ticket_number: int
    workshop_id: int
    amount_cents: int
    redeemed_at: datetime
    scanned_at: datetime
    offline: bool
    workshop_count: int  # the workshop's live redemptions once this one counted
    voidable: bool = True  # just made, today, on an open claim


@dataclass
class Outcome:
    redemption: Accepted | Redemption  # both expose the fields of `Accepted`
    replayed: bool = False


@dataclass
class ScanRequest:
    """What a phone sends for one scan."""

    workshop_id: object
    nonce: object
    code: object = None
    serial: object = None
    check_code: object = None
    scanned_at: datetime | None = None  # naive UTC; offline scans carry the phone's time
    offline: bool = False


def redeem(user, scan: ScanRequest, now: datetime | None = None) -> Outcome:
    """Accept one ticket at one workshop, once; on refusal record a failed scan and raise."""
    now = now or utcnow()
    ticket = None
    try:
        _check_request(scan)
        if scan.offline:
            _check_offline_time(scan.scanned_at, now)
        number = _ticket_number(scan)
        replay = _replay(user, scan, number)
        if replay:
            return replay
        workshop = _workshop_for(user, scan.workshop_id)
        scan_time = scan.scanned_at or now
        ticket = db.session.execute(_TICKET, {"number": number}).first()
        if ticket is None:
            raise Refusal("unknown_ticket")
        if scan.code is None and not _check_code_ok(number, scan.check_code):
            raise Refusal("bad_check_code")
        _check_ticket_state(user, ticket, scan_time)
        _check_workshop_open(workshop, scan_time)
        if scan.offline:
            _check_offline_facts(ticket, workshop, scan_time, now)
        return _write(user, ticket, workshop, scan, scan_time, now)
    except Refusal as refusal:
        if refusal.reason == "already_redeemed":
            # The same scan may have been accepted by a retry racing this one: answer as it did.
            try:
                replay = _replay(user, scan, ticket.number) if ticket else None
            except Refusal:
                replay = None
            if replay:
                return replay
        if not (scan.offline and _already_in_trail(user, scan.nonce)):
            db.session.add(FailedScan(
                user_id=user.id, partner_id=user.partner_id,
                workshop_id=_known_workshop_id(scan.workshop_id),
                ticket_id=ticket.id if ticket else None, nonce=_text(scan.nonce, 64),
                code_prefix=_text(scan.code, 24), serial=_text(scan.serial, 20),
                reason=refusal.reason, offline=scan.offline, created_at=now,
                scanned_at=scan.scanned_at if scan.offline else None,
            ))
        raise


def _text(value, size: int) -> str | None:
    """What a failed scan keeps of a field the phone sent: text only, cut short, never a NUL."""
    if not value:
        return None
    return str(value).replace("\x00", "")[:size] or None


def _already_in_trail(user, nonce) -> bool:
    """Say whether an offline scan resent with the same nonce was already recorded as refused."""
    if not isinstance(nonce, str) or not NONCE_RE.fullmatch(nonce):
        return False
    return db.session.execute(sa.select(FailedScan.id).where(
        FailedScan.nonce == nonce, FailedScan.partner_id == user.partner_id, FailedScan.offline.is_(True)
    ).limit(1)).first() is not None


def _check_code_ok(number: int, check_code) -> bool:
    return codes.check_code_matches(keyring().check_code_secret(), number, check_code)


def _check_offline_time(scanned_at: datetime | None, now: datetime):
    """Refuse an offline scan whose time is missing, in the future, or too old to be believed."""
    if scanned_at is None:
        raise Refusal("bad_request", _("Heure du scan hors connexion manquante : rouvrez la page de scan pour renvoyer les scans en attente."))
    if scanned_at > now + MAX_CLOCK_SKEW:
        raise Refusal("bad_request", _("Heure de scan dans le futur : vérifiez l'horloge du téléphone."))
    if scanned_at < now - MAX_OFFLINE_AGE:
        raise Refusal("bad_request", _("Scan trop ancien pour être synchronisé : contactez le Département."))


def _check_offline_facts(ticket, workshop, scan_time: datetime, now: datetime):
    """Hold the phone's time against what the server knows: hand-out, workshop creation, expiry now.

    A phone's clock is the trainer's to set, so an offline scan's time is believed only where it
    agrees with the server: never before the booklet was handed out or the workshop created (a
    small tolerance for clocks), and a ticket expired by the time it reaches the server is refused.
    """
    if ticket.activated_at is None or scan_time < ticket.activated_at - MAX_CLOCK_SKEW:
        raise Refusal("not_activated", _("Scan daté d'avant la remise du carnet au bénéficiaire : ce ticket "
                                         "n'était pas encore valable à cette heure-là. Vérifiez la date et l'heure "
                                         "du téléphone ; en cas de doute, contactez le Département."))
    if scan_time < workshop.created_at - MAX_CLOCK_SKEW:
        raise Refusal("workshop_not_open", _("Scan daté d'avant la création de l'atelier : vérifiez l'horloge "
                                             "du téléphone et l'atelier choisi."))
    valid_until = ticket.ends_on + timedelta(days=ticket.grace_days)
    if to_local(now - UPLOAD_TOLERANCE).date() > valid_until:
        raise Refusal("expired", _("Ce ticket a expiré le %(day)s et a été envoyé trop tard (plus de 48 heures "
                                   "après) : il ne peut plus être accepté. Envoyez les scans hors connexion dès le retour du "
                                   "réseau.", day=valid_until.strftime("%d/%m/%Y")))


def _check_request(scan: ScanRequest):
    if not isinstance(scan.nonce, str) or not NONCE_RE.fullmatch(scan.nonce):
        raise Refusal("bad_request", _("Identifiant de scan (nonce) manquant ou invalide."))
    if not _plausible_id(scan.workshop_id):
        raise Refusal("bad_request", _("Atelier manquant ou invalide."))
    if scan.code is not None:
        if scan.serial is not None or scan.check_code is not None:
            raise Refusal("bad_request", _("Envoyez soit le code scanné, soit le numéro et le code de contrôle."))
        if not isinstance(scan.code, str):
            raise Refusal("malformed")
    elif not isinstance(scan.serial, str) or not isinstance(scan.check_code, str):
        raise Refusal("bad_request", _("Envoyez le code scanné, ou le numéro et le code de contrôle."))


def _plausible_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _known_workshop_id(value) -> int | None:
    """The workshop a failed scan names, if it exists (the trail keeps probes of others' workshops)."""
    if not _plausible_id(value):
        return None
    return value if db.session.execute(sa.select(Workshop.id).where(Workshop.id == value)).first() else None


def _replay(user, scan: ScanRequest, number: int) -> Outcome | None:
    """Return the first answer for a nonce this partner already used for this very ticket.

    A nonce is one scan: sent again for another ticket, by another partner, or for a validation
    since undone, it is refused as `nonce_reused` rather than answered as the first scan was.
    """
    found = db.session.execute(_FIND_BY_NONCE, {"nonce": scan.nonce}).scalar_one_or_none()
    if found is None:
        return None
    if (found.partner_id != user.partner_id or found.voided_at is not None or found.ticket.number != number
            or (scan.code is None and not _check_code_ok(number, scan.check_code))):
        raise Refusal("nonce_reused")
    return Outcome(found, replayed=True)


def _workshop_for(user, workshop_id):
    workshop = db.session.execute(_WORKSHOP, {"workshop_id": workshop_id}).first()
    if workshop is None or user.partner_id is None or workshop.partner_id != user.partner_id:
        raise Refusal("forbidden")
    if user.partner.status != PartnerStatus.ACCREDITED:
        raise Refusal("forbidden", _("Votre structure n'est pas habilitée en ce moment : aucun ticket ne peut être accepté."))
    return workshop


def _ticket_number(scan: ScanRequest) -> int:
    try:
        if scan.code is not None:
            return codes.verify_code(scan.code, keyring().public_keys()).ticket_number
        return codes.parse_serial(scan.serial)
    except codes.CodeError as err:
        raise Refusal(err.reason) from None


def _check_ticket_state(user, ticket, scan_time: datetime):
    """Refuse a ticket that is not active or outside its campaign's validity (a row of `_TICKET`)."""
    status = ticket.status
    if status in (TicketStatus.REDEEMED, TicketStatus.CLAIMED, TicketStatus.PAID):
        raise already_redeemed(user, ticket.id)
    if status == TicketStatus.ISSUED:
        raise Refusal("not_activated")
    if status == TicketStatus.CANCELLED:
        raise Refusal("cancelled")
    day = to_local(scan_time).date()
    valid_until = ticket.ends_on + timedelta(days=ticket.grace_days)
    if status == TicketStatus.EXPIRED or day > valid_until:
        raise Refusal("expired", _("Ce ticket a expiré le %(day)s : il ne peut plus être accepté.",
                                   day=valid_until.strftime("%d/%m/%Y")))
    if day < ticket.starts_on:
        raise Refusal("not_yet_valid", _("Ce ticket n'est valable qu'à partir du %(day)s.",
                                         day=ticket.starts_on.strftime("%d/%m/%Y")))


def already_redeemed(user, ticket_id: int) -> Refusal:
    """Build the refusal for a ticket already used, saying when and by whom."""
    live = db.session.execute(_LIVE_REDEMPTION, {"ticket_id": ticket_id}).first()
    if live is None:
        return Refusal("already_redeemed")
    same = live.partner_id == user.partner_id
    when = french_datetime(live.scanned_at)
    message = (_("Ticket déjà validé le %(when)s par votre structure.", when=when) if same
               else _("Ticket déjà validé le %(when)s par une autre structure.", when=when))
    return Refusal("already_redeemed", message, redeemed_at=live.scanned_at.isoformat() + "Z", same_partner=same)


def _check_workshop_open(workshop, scan_time: datetime):
    if not is_open(workshop, scan_time):
        raise Refusal("workshop_not_open")


def _write(user, ticket, workshop, scan: ScanRequest, scan_time, now) -> Outcome:
    """Take the ticket and a place at the workshop, or undo and refuse."""
    execute = db.session.execute
    if not execute(_TAKE_TICKET, {"ticket_id": ticket.id, "now": now}, execution_options=_CORE).rowcount:
        # Lost a race: another phone was faster, or a retry of this very scan (see `redeem`).
        _check_ticket_state(user, execute(_TICKET, {"number": ticket.number}).first(), scan_time)
        raise already_redeemed(user, ticket.id)
    workshop_count = execute(_TAKE_PLACE, {"workshop_id": workshop.id}, execution_options=_CORE).scalar()
    if workshop_count is None:
        execute(_RELEASE_TICKET, {"ticket_id": ticket.id, "now": now}, execution_options=_CORE)
        raise Refusal("workshop_full")
    # The workshop row is now locked by this transaction: the count below cannot race.
    same_booklet = execute(_SAME_BOOKLET, {"workshop_id": workshop.id, "booklet_id": ticket.booklet_id}).scalar_one()
    allowed = tickets_allowed(workshop.tickets_per_participant, workshop.ends_at - workshop.starts_at,
                              ticket.minutes_per_ticket)
    if same_booklet >= allowed:
        execute(_RELEASE_TICKET, {"ticket_id": ticket.id, "now": now}, execution_options=_CORE)
        execute(_RELEASE_PLACE, {"workshop_id": workshop.id}, execution_options=_CORE)
        raise Refusal("over_limit", _("Ce participant a déjà remis %(count)s ticket(s) à cet atelier : c'est le "
                                      "maximum pour sa durée (un ticket par tranche de %(minutes)s minutes "
                                      "commencée, %(declared)s au plus par participant).", count=same_booklet,
                                      minutes=ticket.minutes_per_ticket,
                                      declared=workshop.tickets_per_participant), allowed=allowed)
    amount = ticket.face_value_cents  # the campaign's face value at redemption time
    redemption_id = execute(_INSERT_REDEMPTION, {
        "ticket_id": ticket.id, "booklet_id": ticket.booklet_id, "workshop_id": workshop.id,
        "partner_id": workshop.partner_id, "user_id": user.id, "nonce": scan.nonce, "amount_cents": amount,
        "redeemed_at": now, "scanned_at": scan_time, "offline": scan.offline,
    }).scalar_one()
    _add_to_claim(workshop.partner_id, redemption_id, ticket.id, amount, scan_time)
    record(user, "redemption.accepted", object_type="redemption", object_id=redemption_id,
           after={"ticket": ticket.number, "workshop": workshop.id, "amount_cents": amount, "offline": scan.offline})
    return Outcome(Accepted(id=redemption_id, ticket_number=ticket.number, workshop_id=workshop.id,
                            amount_cents=amount, redeemed_at=now, scanned_at=scan_time, offline=scan.offline,
                            workshop_count=workshop_count))


def tickets_allowed(declared: int, length: timedelta, minutes_per_ticket: int) -> int:
    """Tickets one participant may hand over at a workshop: the partner's figure, within the campaign's rule.

    The campaign's rule (APTIC's: one ticket per started two hours) bounds what the partner declared,
    so a two-hour workshop never takes two tickets from one person, whatever its settings say.
    """
    started_slots = max(1, math.ceil(length.total_seconds() / 60 / minutes_per_ticket))
    return min(declared, started_slots)


def month_of(day: date) -> date:
    return day.replace(day=1)


def open_claim(partner_id: int, period: date) -> tuple[int, ClaimStatus]:
    """Return the partner's claim for a month and its status, creating it open if needed (race-safe)."""
    params = {"partner_id": partner_id, "period": period}
    found = db.session.execute(_FIND_CLAIM, params).first()
    if found is None:
        dialect = db.session.get_bind().dialect.name
        insert = (sa.dialects.postgresql.insert if dialect == "postgresql" else sa.dialects.sqlite.insert)(Claim)
        db.session.execute(insert.values(
            partner_id=partner_id, period=period, status=ClaimStatus.OPEN, total_cents=0, created_at=utcnow()
        ).on_conflict_do_nothing(index_elements=["partner_id", "period"]))
        found = db.session.execute(_FIND_CLAIM, params).one()
    return found[0], found[1]


def _add_to_claim(partner_id: int, redemption_id: int, ticket_id: int, amount: int, scan_time: datetime):
    """Put a new redemption on its partner's open claim: its month's, or the current one if that is sent."""
    # A late offline scan for a month already submitted joins the current month's claim. The total
    # is raised only while the claim is open (a conditional UPDATE, which also locks the claim row),
    # so a submission running at the same time either sees this line or makes this scan move on.
    for period in (month_of(to_local(scan_time).date()), month_of(to_local(utcnow()).date())):
        claim_id, status = open_claim(partner_id, period)
        if status == ClaimStatus.OPEN and db.session.execute(
                _ADD_TO_CLAIM, {"claim_id": claim_id, "amount": amount}, execution_options=_CORE).rowcount:
            db.session.execute(_INSERT_LINE, {
                "claim_id": claim_id, "kind": LineKind.REDEMPTION, "redemption_id": redemption_id,
                "ticket_id": ticket_id, "amount_cents": amount, "status": LineStatus.ACCEPTED,
                "created_at": utcnow()})
            return
    raise RuntimeError(f"no open claim for partner {partner_id}")


def voidable(user, redemption: Redemption, now: datetime | None = None) -> bool:
    """Say whether this user may still undo this redemption."""
    now = now or utcnow()
    if redemption.voided_at is not None or redemption.partner_id != user.partner_id:
        return False
    if to_local(redemption.redeemed_at).date() != to_local(now).date():
        return False
    line = redemption.claim_line
    return line is not None and line.claim.status == ClaimStatus.OPEN


def void(user, redemption_id, now: datetime | None = None) -> Redemption:
    """Undo a redemption made today by the user's partner, before its claim is submitted."""
    now = now or utcnow()
    redemption = db.session.get(Redemption, redemption_id) if isinstance(redemption_id, int) else None
    if redemption is None or redemption.partner_id != user.partner_id:
        raise DomainError("not_found")
    if not voidable(user, redemption, now):
        raise DomainError("not_voidable")
    done = db.session.execute(
        sa.update(Redemption).where(Redemption.id == redemption.id, Redemption.voided_at.is_(None))
        .values(voided_at=now, voided_by_id=user.id).execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise DomainError("not_voidable")
    line = redemption.claim_line
    lowered = db.session.execute(_ADD_TO_CLAIM, {"claim_id": line.claim_id, "amount": -line.amount_cents},
                                 execution_options=_CORE).rowcount
    if not lowered:
        # The claim was submitted meanwhile: undo, since a refusal's writes are committed.
        db.session.execute(sa.update(Redemption).where(Redemption.id == redemption.id)
                           .values(voided_at=None, voided_by_id=None).execution_options(synchronize_session=False))
        raise DomainError("not_voidable")
    db.session.delete(line)
    db.session.execute(_RELEASE_TICKET, {"ticket_id": redemption.ticket_id, "now": now}, execution_options=_CORE)
    db.session.execute(_RELEASE_PLACE, {"workshop_id": redemption.workshop_id}, execution_options=_CORE)
    record(user, "redemption.voided", redemption, before={"voided": False}, after={"voided": True})
    db.session.flush()
    db.session.refresh(redemption)
    return redemption
