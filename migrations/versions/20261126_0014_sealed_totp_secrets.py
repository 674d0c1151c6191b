"""TOTP secrets stored sealed (crm.auth.sealed): a copy of the database cannot make codes

The column widens for Fernet tokens; the secrets already stored are sealed with the application's
key (SECRET_BOX_KEYS, or one derived from SECRET_KEY), and opened again on downgrade.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

from crm.auth import sealed

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", existing_type=sa.String(64), type_=sa.String(255))
    _rewrite(lambda value: value if sealed.is_sealed(value) else sealed.seal(value))


def downgrade():
    _rewrite(lambda value: sealed.open_sealed(value) if sealed.is_sealed(value) else value)
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
