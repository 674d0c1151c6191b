"""Imports: the file's rows as read at upload, and the rows as the preview checked them

An import batch keeps the sheet it read at upload and the valid rows its preview cleaned, so that
the preview does not parse the file again, nor the commit read and check it again. Both are
dropped with the file once the import is committed or cancelled. Batches already there have
neither: their steps read the file as before.

Revision ID: d46707c372e4
Revises: 68fe0bae4bfa
Create Date: 2026-12-03 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d46707c372e4"
down_revision = "68fe0bae4bfa"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sheet", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("checked_rows", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("checked_rows")
        batch_op.drop_column("sheet")
