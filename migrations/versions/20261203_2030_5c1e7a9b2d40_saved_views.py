"""Saved views of the enterprise list (crm/savedviews)

Revision ID: 5c1e7a9b2d40
Revises: 9c4e1f7a2b6d
Create Date: 2026-12-03 20:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "5c1e7a9b2d40"
down_revision = "9c4e1f7a2b6d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query_string", sa.String(length=2000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name=op.f("fk_saved_views_organization_id_organizations")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_saved_views_owner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
    )
    op.create_index("ix_saved_views_owner_id", "saved_views", ["owner_id"])
    op.create_index("ix_saved_views_organization_id_shared", "saved_views", ["organization_id", "shared"])


def downgrade():
    op.drop_index("ix_saved_views_organization_id_shared", table_name="saved_views")
    op.drop_index("ix_saved_views_owner_id", table_name="saved_views")
    op.drop_table("saved_views")
