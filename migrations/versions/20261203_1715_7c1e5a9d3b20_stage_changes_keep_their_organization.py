"""Stage changes keep the organization that did the work (the enterprise's owner at the time), so
that a referral to another organization leaves the earlier steps' credit where it was

Revision ID: 7c1e5a9d3b20
Revises: 28ac40102b33
Create Date: 2026-12-03 17:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7c1e5a9d3b20"
down_revision = "28ac40102b33"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
    # Existing steps: the enterprise's current owner, the only organization recorded so far.
    op.execute("UPDATE stage_changes SET organization_id = (SELECT enterprises.organization_id FROM enterprises "
               "WHERE enterprises.id = stage_changes.enterprise_id)")
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.alter_column("organization_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_stage_changes_organization_id_organizations"),
                                    "organizations", ["organization_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_stage_changes_organization_id"), ["organization_id"], unique=False)


def downgrade():
    with op.batch_alter_table("stage_changes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_changes_organization_id"))
        batch_op.drop_constraint(batch_op.f("fk_stage_changes_organization_id_organizations"), type_="foreignkey")
        batch_op.drop_column("organization_id")
