"""Session changes keep the place and meeting link before and after an edit, so that the update
email tells what changed (old → new)

Revision ID: 0a91ab4051e1
Revises: 172917fbd716
Create Date: 2026-12-03 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "0a91ab4051e1"
down_revision = "172917fbd716"
branch_labels = None
depends_on = None


def upgrade():
    # Earlier edits keep NULLs: their place and link before the edit are not known.
    with op.batch_alter_table("session_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("old_place", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("new_place", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("old_meeting_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("new_meeting_url", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("session_changes", schema=None) as batch_op:
        batch_op.drop_column("new_meeting_url")
        batch_op.drop_column("old_meeting_url")
        batch_op.drop_column("new_place")
        batch_op.drop_column("old_place")
