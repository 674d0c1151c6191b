"""Satisfaction surveys: one per person marked present and session (or cohort"s end), each its own
outbox row; the questions an admin adds and their answers; each cohort"s timing.

The two partial unique indexes make a survey be created once, whoever creates it.

Revision ID: 3d577284eb54
Revises: 8d3f6b1c4e27
Create Date: 2026-12-03 20:30

"""
import sqlalchemy as sa
from alembic import op

revision = "3d577284eb54"
down_revision = "8d3f6b1c4e27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("survey_questions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=10), nullable=False),
    sa.Column("label_fr", sa.String(length=200), nullable=False),
    sa.Column("label_en", sa.String(length=200), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions"))
    )
    op.create_table("cohort_survey_timings",
    sa.Column("cohort_id", sa.Integer(), nullable=False),
    sa.Column("timing", sa.String(length=20), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"],
                            name=op.f("fk_cohort_survey_timings_cohort_id_cohorts"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("cohort_id", name=op.f("pk_cohort_survey_timings"))
    )
    op.create_table("surveys",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("organization_id", sa.Integer(), nullable=False),
    sa.Column("cohort_id", sa.Integer(), nullable=True),
    sa.Column("session_id", sa.Integer(), nullable=True),
    sa.Column("enterprise_id", sa.Integer(), nullable=False),
    sa.Column("contact_id", sa.Integer(), nullable=True),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("satisfaction", sa.Integer(), nullable=True),
    sa.Column("usefulness", sa.Integer(), nullable=True),
    sa.Column("intention", sa.String(length=10), nullable=True),
    sa.Column("recommend", sa.Boolean(), nullable=True),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(length=20), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("claimed_by", sa.String(length=120), nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("message_id", sa.String(length=200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name=op.f("ck_surveys_state")),
    sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name=op.f("ck_surveys_satisfaction")),
    sa.CheckConstraint("session_id IS NOT NULL OR cohort_id IS NOT NULL", name=op.f("ck_surveys_subject")),
    sa.CheckConstraint("usefulness BETWEEN 1 AND 5", name=op.f("ck_surveys_usefulness")),
    sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"],
                            name=op.f("fk_surveys_cohort_id_cohorts"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                            name=op.f("fk_surveys_contact_id_contacts")),
    sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
                            name=op.f("fk_surveys_enterprise_id_enterprises")),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                            name=op.f("fk_surveys_organization_id_organizations")),
    sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                            name=op.f("fk_surveys_session_id_sessions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    sa.UniqueConstraint("message_id", name=op.f("uq_surveys_message_id"))
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_session_id"), ["session_id"], unique=False)
        batch_op.create_index("ix_surveys_state_due_at", ["state", "due_at"], unique=False)
        batch_op.create_index("uq_surveys_cohort_id_contact_id", ["cohort_id", "contact_id"], unique=True,
                              sqlite_where=sa.text("session_id IS NULL"),
                              postgresql_where=sa.text("session_id IS NULL"))
        batch_op.create_index("uq_surveys_session_id_contact_id", ["session_id", "contact_id"], unique=True,
                              sqlite_where=sa.text("session_id IS NOT NULL"),
                              postgresql_where=sa.text("session_id IS NOT NULL"))
    op.create_table("survey_extra_answers",
    sa.Column("survey_id", sa.Integer(), nullable=False),
    sa.Column("question_id", sa.Integer(), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["question_id"], ["survey_questions.id"],
                            name=op.f("fk_survey_extra_answers_question_id_survey_questions")),
    sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"],
                            name=op.f("fk_survey_extra_answers_survey_id_surveys"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("survey_id", "question_id", name=op.f("pk_survey_extra_answers"))
    )


def downgrade():
    op.drop_table("survey_extra_answers")
    op.drop_table("surveys")
    op.drop_table("cohort_survey_timings")
    op.drop_table("survey_questions")
