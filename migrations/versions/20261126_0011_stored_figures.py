"""Stored dashboard figures and the version that marks them stale (issue 10)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figures_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures_version")),
    )
    op.create_table(
        "stored_figures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_figures")),
    )
    with op.batch_alter_table("stored_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_figures_computed_at"), ["computed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("stored_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_figures_computed_at"))
    op.drop_table("stored_figures")
    op.drop_table("figures_version")
