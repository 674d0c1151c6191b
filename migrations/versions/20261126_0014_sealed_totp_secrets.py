"""TOTP secrets stored sealed (crm.auth.sealed): a copy of the database cannot make codes

The column widens for Fernet tokens; the secrets already stored are sealed with the application's
key (SECRET_BOX_KEYS, or one derived from SECRET_KEY), and opened again on downgrade.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26

"""
import base64

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# The sealing of crm/auth/sealed.py as it was at this revision, written out here: a migration does
# not import the application, whose code moves on after it.
_PREFIX = "gAAAAA"  # every Fernet token starts with it


def _box() -> MultiFernet:
    config = current_app.config
    keys = [k.strip() for k in (config.get("SECRET_BOX_KEYS") or "").split(",") if k.strip()]
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"virage secret box")
    derived = base64.urlsafe_b64encode(hkdf.derive(config["SECRET_KEY"].encode()))
    return MultiFernet([Fernet(key) for key in keys] + [Fernet(derived)])


def _seal(value: str) -> str:
    return value if value.startswith(_PREFIX) else _box().encrypt(value.encode()).decode()


def _open(value: str) -> str:
    if not value.startswith(_PREFIX):
        return value
    try:
        return _box().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""  # no key opens it: no code matches, as the application reads it


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", existing_type=sa.String(64), type_=sa.String(255))
    _rewrite(_seal)


def downgrade():
    _rewrite(_open)
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", existing_type=sa.String(255), type_=sa.String(64))


def _rewrite(change) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")).all()
    for user_id, value in rows:
        new = change(value)
        if new != value:
            bind.execute(sa.text("UPDATE users SET totp_secret = :value WHERE id = :id"),
                         {"value": new, "id": user_id})
