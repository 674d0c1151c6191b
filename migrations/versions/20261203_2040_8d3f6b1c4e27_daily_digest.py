"""The coaches' daily digest: its outbox (one per coach and Québec day) and the coaches who turned it off

Revision ID: 8d3f6b1c4e27
Revises: 5c1e7a9b2d40
Create Date: 2026-12-03 20:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "8d3f6b1c4e27"
down_revision = "5c1e7a9b2d40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "digest_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
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
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')",
                           name=op.f("ck_digest_emails_state")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_digest_emails_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_emails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_digest_emails_message_id")),
        sa.UniqueConstraint("user_id", "day", name="uq_digest_emails_once_a_day"),
    )
    with op.batch_alter_table("digest_emails") as batch_op:
        batch_op.create_index("ix_digest_emails_state_due_at", ["state", "due_at"], unique=False)
    op.create_table(
        "digest_opt_outs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_digest_opt_outs_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_opt_outs")),
    )


def downgrade():
    op.drop_table("digest_opt_outs")
    with op.batch_alter_table("digest_emails") as batch_op:
        batch_op.drop_index("ix_digest_emails_state_due_at")
    op.drop_table("digest_emails")
