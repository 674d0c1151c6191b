"""Webhooks: organizations' subscriptions (secret stored sealed) and the outbox of their deliveries

Revision ID: 28ac40102b33
Revises: 61e3432c011d
Create Date: 2026-12-03 14:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "28ac40102b33"
down_revision = "61e3432c011d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("webhook_subscriptions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("organization_id", sa.Integer(), nullable=False),
    sa.Column("url", sa.String(length=500), nullable=False),
    sa.Column("events", sa.String(length=500), nullable=False),
    sa.Column("secret", sa.String(length=255), nullable=False),
    sa.Column("is_active", sa.Boolean(), nullable=False),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_webhook_subscriptions_created_by_id_users")),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name=op.f("fk_webhook_subscriptions_organization_id_organizations")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions"))
    )
    with op.batch_alter_table("webhook_subscriptions") as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_subscriptions_organization_id"), ["organization_id"], unique=False)

    op.create_table("webhook_deliveries",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("subscription_id", sa.Integer(), nullable=False),
    sa.Column("event", sa.String(length=60), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(length=20), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("response_status", sa.Integer(), nullable=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("claimed_by", sa.String(length=120), nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("message_id", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')",
                       name=op.f("ck_webhook_deliveries_state")),
    sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscriptions.id"], name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    sa.UniqueConstraint("message_id", name=op.f("uq_webhook_deliveries_message_id"))
    )
    with op.batch_alter_table("webhook_deliveries") as batch_op:
        batch_op.create_index("ix_webhook_deliveries_state_due_at", ["state", "due_at"], unique=False)
        batch_op.create_index("ix_webhook_deliveries_subscription_id_created_at", ["subscription_id", "created_at"], unique=False)



def downgrade():
    with op.batch_alter_table("webhook_deliveries") as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_subscription_id_created_at")
        batch_op.drop_index("ix_webhook_deliveries_state_due_at")

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_subscriptions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_organization_id"))

    op.drop_table("webhook_subscriptions")
