"""Two-factor authentication: TOTP codes from an authenticator app, and recovery codes.

Required for admins and for members of organizations that require it; optional for others.
Between the set-up page and its confirmation, and between making recovery codes and showing them,
they wait on the server (``TwoFactorPending``, sealed), never in the session cookie.
"""
import hashlib
import logging
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crm.audit.services import record
from crm.auth.models import RecoveryCode, TwoFactorPending, User
from crm.db import as_utc, utcnow
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.validators import is_number

log = logging.getLogger(__name__)

ISSUER = "Virage"
RECOVERY_CODE_COUNT = 10
_STEP = 30  # seconds per TOTP code
SETUP_SECONDS = 3600  # a set-up secret not confirmed within an hour is replaced by a new one
SHOW_CODES_SECONDS = 600  # new recovery codes not shown within 10 minutes are not shown (they work)


def requires_two_factor(user: User) -> bool:
    return user.is_admin or bool(user.organization and user.organization.require_two_factor)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The manual key in groups of four, easier to type."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_counter(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is, allowing one step of clock drift either way."""
    code = "".join(code.split())
    if not secret or not (is_number(code) and len(code) == 6):  # no secret: unset, or unreadable
        return None
    totp = pyotp.TOTP(secret)
    counter = int(now) // _STEP
    for candidate in (counter, counter - 1, counter + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Confirm enrolment with a first code; returns the recovery codes, shown only once."""
    counter = _matching_counter(secret, code, time.time())
    if counter is None:
        raise DomainError(_l("This code is not valid. Check your device's clock and try again."),
                          field="code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_counter = counter
    codes = _replace_recovery_codes(user)
    record("user.two_factor_enabled", user, actor=user)
    log.info("two-factor authentication enabled for user %s", user.id)
    return codes


def _pending(user: User) -> TwoFactorPending:
    # Two set-up pages opened at once must not fail on each other's row.
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(TwoFactorPending).values(user_id=user.id).on_conflict_do_nothing())
    return db.session.get(TwoFactorPending, user.id, populate_existing=True)


def setup_secret(user: User) -> str:
    """The secret being enrolled, the same from one request to the next until confirmed (or stale)."""
    pending = _pending(user)
    now = utcnow()
    # No secret yet, a stale one, or one no key opens any more (crm.auth.sealed.UNREADABLE).
    if not pending.secret or as_utc(pending.secret_created_at) < now - timedelta(seconds=SETUP_SECONDS):
        pending.secret, pending.secret_created_at = new_secret(), now
        db.session.flush()
    return pending.secret


def confirm_setup(user: User, code: str) -> list[str]:
    """Enable with the set-up secret and a first code; the recovery codes wait for ``codes_to_show``."""
    pending = db.session.get(TwoFactorPending, user.id)
    codes = enable(user, pending.secret if pending is not None else "", code)
    pending.secret = pending.secret_created_at = None
    _keep_to_show(pending, codes)
    return codes


def codes_to_show(user: User) -> list[str]:
    """The recovery codes just made, once: they are forgotten as they are read (or when stale)."""
    pending = db.session.get(TwoFactorPending, user.id)
    if pending is None or not pending.recovery_codes:
        return []
    fresh = as_utc(pending.codes_created_at) >= utcnow() - timedelta(seconds=SHOW_CODES_SECONDS)
    codes = pending.recovery_codes.split() if fresh else []
    pending.recovery_codes = pending.codes_created_at = None
    db.session.flush()
    return codes


def _keep_to_show(pending: TwoFactorPending, codes: list[str]) -> None:
    pending.recovery_codes, pending.codes_created_at = " ".join(codes), utcnow()
    db.session.flush()


def disable(user: User, *, actor, password: str | None = None) -> None:
    """Turn 2FA off: the person with their password, or an admin (lost device) without it."""
    if actor.id == user.id:
        if password is None or not user.check_password(password):
            raise DomainError(_l("The password is incorrect."), field="password")
        if requires_two_factor(user):
            raise DomainError(_l("Two-factor authentication is required for your account."),
                              field="password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactorPending).where(TwoFactorPending.user_id == user.id))
    if actor.id != user.id:
        user.end_all_sessions()
    record("user.two_factor_disabled", user, actor=actor)
    log.info("two-factor authentication of user %s disabled by %s", user.id, actor.id)


def verify(user: User, code: str) -> bool:
    """A current TOTP code not used before, or an unused recovery code (then spent)."""
    counter = _matching_counter(user.totp_secret or "", code, time.time())
    if counter is not None:
        if user.totp_last_counter is not None and counter <= user.totp_last_counter:
            return False  # replayed
        user.totp_last_counter = counter
        return True
    return _spend_recovery_code(user, code)


def regenerate_recovery_codes(user: User) -> list[str]:
    """New codes replace the old ones; they wait for ``codes_to_show``."""
    codes = _replace_recovery_codes(user)
    _keep_to_show(_pending(user), codes)
    record("user.recovery_codes_regenerated", user, actor=user)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _hash_code(code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    db.session.flush()
    return codes


def _spend_recovery_code(user: User, code: str) -> bool:
    if len(code) > 40:
        return False
    # Compare-and-set: two requests racing with the same code cannot both succeed.
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        record("user.recovery_code_used", user, actor=user)
        log.info("recovery code used by user %s", user.id)
        return True
    return False
