"""Secrets stored sealed: encrypted with a key the database does not hold (Fernet: AES-128-CBC with
an HMAC-SHA256 tag).

Used for the TOTP secrets: a copy of the database (a backup, a dump sent for support) must not be
enough to generate a person's second-factor codes. The key comes from ``SECRET_BOX_KEYS``: Fernet
keys separated by commas, the first one sealing, every one opening, so that a key can be replaced
without making anyone enrol again (``flask users reseal`` then seals everything with the first).
A key derived from ``SECRET_KEY`` seals when ``SECRET_BOX_KEYS`` is empty, and always opens.
"""
import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

# What a secret that cannot be opened reads as: no code matches it, so two-factor sign-in fails
# closed (recovery codes still work, and an admin can reset the person's two-factor).
UNREADABLE = ""
_PREFIX = "gAAAAA"  # every Fernet token starts with it (version byte and timestamp)


def _box() -> MultiFernet:
    config = current_app.config
    cache_key = (config.get("SECRET_BOX_KEYS"), config["SECRET_KEY"])
    cached = current_app.extensions.get("virage.secret_box")
    if cached is None or cached[0] != cache_key:
        keys = [k.strip() for k in (config.get("SECRET_BOX_KEYS") or "").split(",") if k.strip()]
        # The key derived from SECRET_KEY always opens too: set SECRET_BOX_KEYS, reseal, and the
        # secrets no longer depend on SECRET_KEY.
        fernets = [Fernet(key) for key in keys] + [Fernet(_derived_key(config["SECRET_KEY"]))]
        cached = current_app.extensions["virage.secret_box"] = (cache_key, MultiFernet(fernets))
    return cached[1]


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"virage secret box")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def seal(value: str) -> str:
    return _box().encrypt(value.encode()).decode()


def is_sealed(value: str) -> bool:
    return value.startswith(_PREFIX)


def open_sealed(value: str) -> str:
    try:
        return _box().decrypt(value.encode()).decode()
    except InvalidToken:
        log.error("a sealed secret could not be opened with SECRET_BOX_KEYS (or SECRET_KEY): key changed?")
        return UNREADABLE


def reseal(value: str) -> str:
    """Sealed with the first key, whichever key sealed it (plain text is sealed too)."""
    return _box().rotate(value.encode()).decode() if is_sealed(value) else seal(value)


class SealedString(TypeDecorator):
    """A string column whose values are stored sealed and read back in clear."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # A value written before sealing existed is read as it is, and sealed by `flask crm reseal`
        # or the migration that introduced the column type.
        return open_sealed(value) if is_sealed(value) else value
