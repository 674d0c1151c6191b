"""Stored export files, served again while what they show is unchanged (issue 10)

The manager's export of a whole organization (7,300 rows, 1.7 MB at ten times the province) was
generated on every request. On PostgreSQL the files are kept uncompressed (STORAGE EXTERNAL):
they are written once and read many times, and decompressing 1.7 MB on each read cost 2 ms.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_exports",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_exports")),
    )
    with op.batch_alter_table("stored_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_exports_created_at"), ["created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stored_exports ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade():
    with op.batch_alter_table("stored_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_exports_created_at"))
    op.drop_table("stored_exports")
