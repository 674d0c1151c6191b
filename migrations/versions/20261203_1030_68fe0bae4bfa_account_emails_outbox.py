"""Account emails outbox: password links queued by the request, sent by `flask reminders send`

No link and no address are stored: the worker signs the link at send time (crm/auth/emails.py).

Revision ID: 68fe0bae4bfa
Revises: f16da6837765
Create Date: 2026-12-03 10:10:04.976140

"""
import sqlalchemy as sa
from alembic import op

revision = "68fe0bae4bfa"
down_revision = "f16da6837765"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
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
        sa.CheckConstraint("kind IN ('password_reset', 'welcome')", name=op.f("ck_account_emails_kind")),
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')",
                           name=op.f("ck_account_emails_state")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_account_emails_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_emails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_account_emails_message_id")),
    )
    with op.batch_alter_table("account_emails") as batch_op:
        batch_op.create_index("ix_account_emails_state_due_at", ["state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_emails_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("account_emails") as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_emails_user_id"))
        batch_op.drop_index("ix_account_emails_state_due_at")
    op.drop_table("account_emails")
