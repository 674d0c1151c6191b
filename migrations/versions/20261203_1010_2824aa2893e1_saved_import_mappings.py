"""Imports: column mappings saved per organization, the header row, and what the preview shows

A new table keeps the columns an organization chose for one header layout. Import batches gain
the header line, their first rows as read, the preview (rows as they will be written, merged
values copied down, defaults applied), the refused rows for the report, and the saved mapping
proposed. Batches already there get an empty preview and the header on line 1.

Revision ID: 2824aa2893e1
Revises: 12f34f9eb862
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "2824aa2893e1"
down_revision = "12f34f9eb862"
branch_labels = None
depends_on = None

NEW_COLUMNS = (("header_line", sa.Integer(), sa.text("1")), ("head_rows", sa.JSON(), sa.text("'[]'")),
               ("preview", sa.JSON(), sa.text("'{}'")), ("rejected_rows", sa.JSON(), sa.text("'[]'")))


def upgrade():
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("headers_key", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("defaults", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name=op.f("fk_import_mappings_organization_id_organizations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_import_mappings_updated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("organization_id", "headers_key",
                            name=op.f("uq_import_mappings_organization_id_headers_key")),
    )
    # The rows already there get a value through a server default, which is dropped afterwards:
    # the application always writes these columns.
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        for name, type_, default in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        batch_op.add_column(sa.Column("saved_mapping_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_import_batches_saved_mapping_id_import_mappings"),
                                    "import_mappings", ["saved_mapping_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        for name, type_, _default in NEW_COLUMNS:
            batch_op.alter_column(name, existing_type=type_, existing_nullable=False, server_default=None)


def downgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_batches_saved_mapping_id_import_mappings"), type_="foreignkey")
        batch_op.drop_column("saved_mapping_id")
        for name, _type, _default in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
    op.drop_table("import_mappings")
