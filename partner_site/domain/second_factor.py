"""The staff's second factor: TOTP codes (RFC 6238) from an authenticator app, and recovery codes.

Staff enrol at their first sign-in: a QR code of a new secret, confirmed by a first code, then
ten one-time recovery codes shown once and stored hashed. A code is accepted for its 30-second
step and the steps on either side (clock drift), and each step only once per person: the
last accepted step is kept and moves forward with a conditional UPDATE, so a code seen over a
shoulder or replayed by two tabs at once is refused.
"""
import base64
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import qrcode
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import RecoveryCode, User, record, utcnow
from . import sessions
from .errors import DomainError

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 signs, no 0/O nor 1/I: 16 of them make 80 bits
STEP_SECONDS = 30


def issuer() -> str:
    return f"Pass numérique {current_app.config['TERRITORY_CODE']}"


def provisioning_uri(user: User) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer())


def qr_data_uri(text: str) -> str:
    """Draw `text` as a QR code, a PNG in a data: URI (drawn here: no outside service sees the secret)."""
    buffer = io.BytesIO()
    qrcode.make(text, box_size=6, border=2).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def grouped(secret: str) -> str:
    """Write a secret in groups of four, for typing it by hand into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def start_enrolment(user: User) -> User:
    """Give a staff member who has no second factor yet a new secret to confirm (kept across reloads)."""
    if user.second_factor_enrolled:
        raise DomainError("bad_request", _("La double authentification est déjà activée pour ce compte."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32(32)
    return user


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def _matching_step(secret: str, code: str, now: float | None) -> int | None:
    totp, step = pyotp.TOTP(secret), current_step(now)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _spend_step(user: User, step: int) -> bool:
    """Record `step` as used if no later or equal step was: True once per step, whatever the concurrency."""
    spent = db.session.execute(
        sa.update(User).where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if spent:
        user.totp_last_step = step
    return bool(spent)


def _clean(code) -> str:
    return "".join(str(code or "").split()).replace("-", "").upper()[:40]


def _check_totp(user: User, code: str, now: float | None) -> bool:
    step = _matching_step(user.totp_secret, code, now) if user.totp_secret and code.isdigit() else None
    return step is not None and _spend_step(user, step)


def _wrong_code() -> DomainError:
    return DomainError("bad_request", _("Code incorrect ou déjà utilisé : saisissez le code affiché maintenant par "
                                        "votre application (6 chiffres), ou un code de secours."), field="code")


def confirm_enrolment(user: User, code, now: float | None = None) -> list[str]:
    """Turn the second factor on with a first code; return the recovery codes (the only time they exist)."""
    if user.second_factor_enrolled or not user.totp_secret:
        raise DomainError("bad_request", _("Recommencez l'activation de la double authentification."))
    if not _check_totp(user, _clean(code), now):
        raise _wrong_code()
    user.totp_enrolled_at = utcnow()
    codes = _new_recovery_codes(user)
    record(user, "user.second_factor_enrolled", user, after={"recovery_codes": len(codes)})
    return codes


def verify(user: User, code, now: float | None = None) -> str:
    """Accept a current TOTP code or an unused recovery code, once; return which ("totp" or "recovery")."""
    code = _clean(code)
    if not user.second_factor_enrolled:
        raise _wrong_code()
    if len(code) == 6:
        if _check_totp(user, code, now):
            return "totp"
        raise _wrong_code()
    used = db.session.execute(
        sa.update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
                                      RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not used:
        raise _wrong_code()
    record(user, "user.recovery_code_used", user, after={"left": recovery_codes_left(user)})
    return "recovery"


def recovery_codes_left(user: User) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(16)) for _n in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """Replace a signed-in staff member's recovery codes (the password is asked again)."""
    if not user.check_password(password or ""):
        raise DomainError("bad_request", _("Mot de passe incorrect."), field="password")
    codes = _new_recovery_codes(user)
    record(user, "user.recovery_codes_renewed", user, after={"recovery_codes": len(codes)})
    return codes


def reset(actor, user: User) -> User:
    """Forget a staff member's second factor (a lost phone): they enrol again at their next sign-in."""
    if not user.role.is_staff:
        raise DomainError("bad_request", _("Seuls les comptes du Département ont une double authentification."))
    user.totp_secret = user.totp_enrolled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = sessions.revoke_all(user)
    record(actor, "user.second_factor_reset", user, after={"sessions_ended": ended})
    return user
