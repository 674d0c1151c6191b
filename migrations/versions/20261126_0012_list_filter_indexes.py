"""Indexes for the enterprise list's region and stage filters within an organization (issue 10)

A manager's list filtered by region and stage combined two single-column indexes (the region's
held 29,000 rows at ten times the province): 9 ms for 364 matches. These partial indexes answer
it, and its count, from the index alone.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ACTIVE = sa.text("archived_at IS NULL")


def upgrade():
    op.create_index("ix_enterprises_active_organization_stage_region", "enterprises",
                    ["organization_id", "stage", "region_code"], postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    op.create_index("ix_enterprises_active_organization_region", "enterprises",
                    ["organization_id", "region_code"], postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def downgrade():
    op.drop_index("ix_enterprises_active_organization_region", table_name="enterprises")
    op.drop_index("ix_enterprises_active_organization_stage_region", table_name="enterprises")
