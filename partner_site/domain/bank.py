"""Bank details: entered by the association, validated by finance staff before any payment.

A change is a new row waiting for staff; while it waits, the partner's claims are held out of
payment batches (a changed IBAN is the classic fraud). Once validated it replaces the previous
account, which stays in the history; every payment records the account it went to.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import BankAccount, BankAccountStatus, Partner, change_status, record, utcnow
from .errors import DomainError
from .identity import clean_bic, clean_iban, clean_siret
from .locking import move

STATUS_LABELS = {
    BankAccountStatus.PENDING: _l("En attente de vérification"),
    BankAccountStatus.VALIDATED: _l("Validé"),
    BankAccountStatus.REJECTED: _l("Refusé"),
    BankAccountStatus.SUPERSEDED: _l("Remplacé"),
}


def status_label(status: BankAccountStatus) -> str:
    return str(STATUS_LABELS[status])


def current_account(partner_id: int) -> BankAccount | None:
    """Return the validated account payments go to, if any."""
    return db.session.execute(sa.select(BankAccount).where(
        BankAccount.partner_id == partner_id, BankAccount.status == BankAccountStatus.VALIDATED)).scalar_one_or_none()


def pending_account(partner_id: int) -> BankAccount | None:
    """Return the change waiting for staff, if any."""
    return db.session.execute(sa.select(BankAccount).where(
        BankAccount.partner_id == partner_id, BankAccount.status == BankAccountStatus.PENDING)).scalar_one_or_none()


def history(partner_id: int) -> list[BankAccount]:
    return list(db.session.execute(sa.select(BankAccount).where(BankAccount.partner_id == partner_id)
                                   .order_by(BankAccount.id.desc())).scalars())


def payable_partner_ids():
    """Select the partners that can be paid now: a validated account and no change waiting."""
    pending = sa.select(BankAccount.partner_id).where(BankAccount.status == BankAccountStatus.PENDING)
    return sa.select(BankAccount.partner_id).where(
        BankAccount.status == BankAccountStatus.VALIDATED, BankAccount.partner_id.not_in(pending))


def submit_details(user, partner: Partner, *, holder_name, iban, bic, siret) -> BankAccount:
    """Record new bank details for a partner; they wait for staff, and so do its payments."""
    if not isinstance(holder_name, str) or not holder_name.strip() or len(holder_name.strip()) > 140:
        raise DomainError("bad_request", _("Indiquez le titulaire du compte (140 caractères au plus)."),
                          field="holder_name")
    iban, bic, siret = clean_iban(iban), clean_bic(bic), clean_siret(siret)
    if bic.country_code != iban.country_code and not (iban.country_code == "MC" and bic.country_code == "FR"):
        raise DomainError("bad_request", _("Le BIC ne correspond pas au pays de l'IBAN : vérifiez les deux."),
                          field="bic")
    taken = db.session.execute(sa.select(Partner.id).where(Partner.siret == siret, Partner.id != partner.id)).first()
    if taken:
        raise DomainError("bad_request", _("Ce SIRET est déjà celui d'une autre structure habilitée. "
                                           "Contactez le Département."), field="siret")
    previous = pending_account(partner.id)
    if previous is not None:
        change_status(previous, BankAccountStatus.SUPERSEDED, user, reason="replaced before review")
        db.session.flush()  # free the partial unique index before the new pending row
    account = BankAccount(partner_id=partner.id, holder_name=holder_name.strip(), iban=iban.compact,
                          bic=bic.compact, siret=siret, status=BankAccountStatus.PENDING, submitted_by_id=user.id)
    db.session.add(account)
    db.session.flush()
    record(user, "bank_account.submitted", account,
           after={"partner_id": partner.id, "iban": account.masked_iban, "bic": account.bic, "siret": siret})
    return account


def get_pending(account_id) -> BankAccount:
    account = db.session.get(BankAccount, account_id) if isinstance(account_id, int) else None
    if account is None or account.status != BankAccountStatus.PENDING:
        raise DomainError("not_found", _("Ces coordonnées bancaires ne sont plus en attente de validation."))
    return account


def validate(user, account: BankAccount) -> BankAccount:
    """Accept pending details: they replace the account in force, and the partner's SIRET if changed."""
    partner = account.partner
    if account.siret != partner.siret and db.session.execute(
            sa.select(Partner.id).where(Partner.siret == account.siret, Partner.id != partner.id)).first():
        raise DomainError("bad_request", _("Ce SIRET est déjà celui d'une autre structure : refusez ces coordonnées."))
    previous = current_account(partner.id)
    if previous is not None:
        change_status(previous, BankAccountStatus.SUPERSEDED, user, reason=f"replaced by account {account.id}")
        db.session.flush()  # free the partial unique index before validating the new one
    move(account, BankAccountStatus.VALIDATED, user, reviewed_at=utcnow(), reviewed_by_id=user.id)
    if account.siret != partner.siret:
        record(user, "partner.siret_changed", partner, before={"siret": partner.siret}, after={"siret": account.siret})
        partner.siret = account.siret
    db.session.flush()
    return account


def reject(user, account: BankAccount, reason) -> BankAccount:
    """Refuse pending details with a reason; the account in force, if any, stays and payments resume."""
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError("bad_request", _("Indiquez le motif du refus."), field="reason")
    move(account, BankAccountStatus.REJECTED, user, reason=reason.strip(), reviewed_at=utcnow(),
         reviewed_by_id=user.id, review_reason=reason.strip()[:300])
    db.session.flush()
    return account


def pending_review() -> list[BankAccount]:
    """List the details waiting for staff, oldest first, with their partner loaded."""
    return list(db.session.execute(
        sa.select(BankAccount).where(BankAccount.status == BankAccountStatus.PENDING)
        .options(sa.orm.joinedload(BankAccount.partner), sa.orm.joinedload(BankAccount.submitted_by))
        .order_by(BankAccount.created_at)).scalars())
