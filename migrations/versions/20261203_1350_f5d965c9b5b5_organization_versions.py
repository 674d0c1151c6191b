"""A version per organization instead of one for everything; no more export files in the database

The reports' cached figures and files were marked stale by one counter that any write anywhere
bumped, and kept in the database (stored_figures, stored_exports). They now live in the
application's cache (Flask-Caching), keyed by the versions of the organizations they cover:
organization_versions holds one counter per organization. What was stored is only a cache: it is
dropped, not moved.

Revision ID: f5d965c9b5b5
Revises: d46707c372e4
Create Date: 2026-12-03 13:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f5d965c9b5b5"
down_revision = "d46707c372e4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organization_versions",
        sa.Column("organization_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_versions")),
    )
    with op.batch_alter_table("stored_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_exports_created_at"))
    op.drop_table("stored_exports")
    with op.batch_alter_table("stored_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_figures_computed_at"))
    op.drop_table("stored_figures")
    op.drop_table("figures_version")


def downgrade():
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
    op.drop_table("organization_versions")
