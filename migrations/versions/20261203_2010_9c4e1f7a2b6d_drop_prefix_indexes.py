"""Enterprises: two indexes that were prefixes of others dropped (name_key is the start of
name_key + city_key, organization_id of organization_id + stage), one less to write per import row

Revision ID: 9c4e1f7a2b6d
Revises: 0a91ab4051e1
Create Date: 2026-12-03 20:10:00.000000

"""
from alembic import op

revision = "9c4e1f7a2b6d"
down_revision = "0a91ab4051e1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprises_name_key")
        batch_op.drop_index("ix_enterprises_organization_id")


def downgrade():
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index("ix_enterprises_organization_id", ["organization_id"], unique=False)
        batch_op.create_index("ix_enterprises_name_key", ["name_key"], unique=False)
