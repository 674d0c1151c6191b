"""Indexes for Québec-scale data: active list sorts and trigram search (issue 10)

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None

ACTIVE = sa.text("archived_at IS NULL")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_index("ix_enterprises_active_name_key", "enterprises", ["name_key", "id"],
                    postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    op.create_index("ix_enterprises_active_organization_name_key", "enterprises",
                    ["organization_id", "name_key", "id"], postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_enterprises_search_text_trgm", "enterprises", ["search_text"],
                        postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"})
    else:
        # LIKE '%word%' cannot use an index on SQLite; the index keeps the schema the same as the
        # models (one declaration for both databases).
        op.create_index("ix_enterprises_search_text_trgm", "enterprises", ["search_text"])


def downgrade():
    op.drop_index("ix_enterprises_search_text_trgm", table_name="enterprises")
    op.drop_index("ix_enterprises_active_organization_name_key", table_name="enterprises")
    op.drop_index("ix_enterprises_active_name_key", table_name="enterprises")
