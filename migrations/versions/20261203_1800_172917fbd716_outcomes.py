"""The outcome chain: enterprises' digital plans and digital projects

Amounts are whole dollars (integers: exact sums on every database). A project is audited and
versioned (optimistic locking) like an enterprise.

Revision ID: 172917fbd716
Revises: 0ea5dbfced7a
Create Date: 2026-12-03 15:20

"""
import sqlalchemy as sa
from alembic import op

revision = "172917fbd716"
down_revision = "0ea5dbfced7a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("digital_plans",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("enterprise_id", sa.Integer(), nullable=False),
    sa.Column("produced_on", sa.Date(), nullable=False),
    sa.Column("link", sa.String(length=300), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_digital_plans_created_by_id_users")),
    sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                            name=op.f("fk_digital_plans_enterprise_id_enterprises")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_digital_plans"))
    )
    with op.batch_alter_table("digital_plans") as batch_op:
        batch_op.create_index(batch_op.f("ix_digital_plans_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_digital_plans_produced_on"), ["produced_on"], unique=False)

    op.create_table("digital_projects",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("enterprise_id", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(length=200), nullable=False),
    sa.Column("category", sa.String(length=40), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("amount_invested", sa.BigInteger(), nullable=True),
    sa.Column("public_funding", sa.BigInteger(), nullable=True),
    sa.Column("jobs_created", sa.Integer(), nullable=True),
    sa.Column("jobs_maintained", sa.Integer(), nullable=True),
    sa.Column("started_on", sa.Date(), nullable=True),
    sa.Column("completed_on", sa.Date(), nullable=True),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_digital_projects_created_by_id_users")),
    sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                            name=op.f("fk_digital_projects_enterprise_id_enterprises")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_digital_projects"))
    )
    with op.batch_alter_table("digital_projects") as batch_op:
        batch_op.create_index(batch_op.f("ix_digital_projects_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index("ix_digital_projects_status_completed_on", ["status", "completed_on"], unique=False)


def downgrade():
    with op.batch_alter_table("digital_projects") as batch_op:
        batch_op.drop_index("ix_digital_projects_status_completed_on")
        batch_op.drop_index(batch_op.f("ix_digital_projects_enterprise_id"))
    op.drop_table("digital_projects")
    with op.batch_alter_table("digital_plans") as batch_op:
        batch_op.drop_index(batch_op.f("ix_digital_plans_produced_on"))
        batch_op.drop_index(batch_op.f("ix_digital_plans_enterprise_id"))
    op.drop_table("digital_plans")
