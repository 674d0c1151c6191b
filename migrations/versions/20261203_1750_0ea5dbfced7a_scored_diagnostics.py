"""Scored diagnostics: a score from 1 to 5 per dimension, and the tools the programme names

A diagnostic's scores (``diagnostic_scores``, one per dimension) give an enterprise's gain between
its first and latest scored diagnostics. The tools are now the ministry's Audit industrie 4.0, the
ADN 4.0 self-diagnosis, the organization's own and another one. The "self-assessments" recorded so
far are taken as the ADN 4.0 self-diagnosis, the self-diagnosis tool the programme points
enterprises to (an assumption: the old list did not name the tool).

Revision ID: 0ea5dbfced7a
Revises: 5be462719e02
Create Date: 2026-12-03 15:10

"""
import sqlalchemy as sa
from alembic import op

revision = "0ea5dbfced7a"
down_revision = "5be462719e02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("diagnostic_scores",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("diagnostic_id", sa.Integer(), nullable=False),
    sa.Column("dimension", sa.String(length=40), nullable=False),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_diagnostic_scores_score_range")),
    sa.ForeignKeyConstraint(["diagnostic_id"], ["digital_diagnostics.id"],
                            name=op.f("fk_diagnostic_scores_diagnostic_id_digital_diagnostics"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnostic_scores")),
    sa.UniqueConstraint("diagnostic_id", "dimension", name=op.f("uq_diagnostic_scores_diagnostic_id_dimension"))
    )
    with op.batch_alter_table("digital_diagnostics") as batch_op:
        batch_op.create_index("ix_digital_diagnostics_enterprise_id_performed_on", ["enterprise_id", "performed_on"],
                              unique=False)
    op.execute("UPDATE digital_diagnostics SET tool = 'adn_40' WHERE tool = 'self_assessment'")


def downgrade():
    op.execute("UPDATE digital_diagnostics SET tool = 'self_assessment' WHERE tool = 'adn_40'")
    with op.batch_alter_table("digital_diagnostics") as batch_op:
        batch_op.drop_index("ix_digital_diagnostics_enterprise_id_performed_on")
    op.drop_table("diagnostic_scores")
