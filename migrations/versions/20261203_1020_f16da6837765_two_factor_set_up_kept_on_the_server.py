"""Two-factor set-up kept on the server: the secret being enrolled and the recovery codes to show once

They were in the session cookie, which is signed but not encrypted. Stored sealed (crm.auth.sealed):
plain strings here.

Revision ID: f16da6837765
Revises: 2824aa2893e1
Create Date: 2026-12-03 10:01:55.232200

"""
import sqlalchemy as sa
from alembic import op

revision = "f16da6837765"
down_revision = "2824aa2893e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "two_factor_pending",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=True),
        sa.Column("secret_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recovery_codes", sa.String(length=400), nullable=True),
        sa.Column("codes_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_two_factor_pending_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_two_factor_pending")),
    )


def downgrade():
    op.drop_table("two_factor_pending")
