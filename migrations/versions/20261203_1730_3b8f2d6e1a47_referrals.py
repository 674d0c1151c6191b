"""Referrals of enterprises between organizations, with the contact"s consent, and their emails" outbox

Revision ID: 3b8f2d6e1a47
Revises: 7c1e5a9d3b20
Create Date: 2026-12-03 17:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "3b8f2d6e1a47"
down_revision = "7c1e5a9d3b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("referrals",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("enterprise_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=10), nullable=False),
    sa.Column("from_organization_id", sa.Integer(), nullable=False),
    sa.Column("to_organization_id", sa.Integer(), nullable=False),
    sa.Column("referred_by_id", sa.Integer(), nullable=True),
    sa.Column("purpose", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=True),
    sa.Column("shared", sa.String(length=100), nullable=False),
    sa.Column("contact_id", sa.Integer(), nullable=True),
    sa.Column("consent_method", sa.String(length=10), nullable=False),
    sa.Column("consent_status", sa.String(length=10), nullable=False),
    sa.Column("consent_source", sa.String(length=200), nullable=True),
    sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("consent_recorded_by_id", sa.Integer(), nullable=True),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("share_ends_on", sa.Date(), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decided_by_id", sa.Integer(), nullable=True),
    sa.Column("decline_reason", sa.Text(), nullable=True),
    sa.Column("coach_id", sa.Integer(), nullable=True),
    sa.Column("previous_coach_id", sa.Integer(), nullable=True),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("consent_status IN ('pending', 'given', 'refused')", name=op.f("ck_referrals_consent_status")),
    sa.CheckConstraint("kind IN ('move', 'share')", name=op.f("ck_referrals_kind")),
    sa.CheckConstraint("status IN ('consent_pending', 'sent', 'accepted', 'declined', 'expired', 'ended')", name=op.f("ck_referrals_status")),
    sa.CheckConstraint("from_organization_id <> to_organization_id", name=op.f("ck_referrals_two_organizations")),
    sa.ForeignKeyConstraint(["coach_id"], ["users.id"], name=op.f("fk_referrals_coach_id_users")),
    sa.ForeignKeyConstraint(["consent_recorded_by_id"], ["users.id"], name=op.f("fk_referrals_consent_recorded_by_id_users")),
    sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_referrals_contact_id_contacts")),
    sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_referrals_decided_by_id_users")),
    sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"], name=op.f("fk_referrals_enterprise_id_enterprises")),
    sa.ForeignKeyConstraint(["from_organization_id"], ["organizations.id"], name=op.f("fk_referrals_from_organization_id_organizations")),
    sa.ForeignKeyConstraint(["previous_coach_id"], ["users.id"], name=op.f("fk_referrals_previous_coach_id_users")),
    sa.ForeignKeyConstraint(["referred_by_id"], ["users.id"], name=op.f("fk_referrals_referred_by_id_users")),
    sa.ForeignKeyConstraint(["to_organization_id"], ["organizations.id"], name=op.f("fk_referrals_to_organization_id_organizations")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals"))
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_from_organization_id"), ["from_organization_id"], unique=False)
        batch_op.create_index("ix_referrals_kind_status_share_ends_on", ["kind", "status", "share_ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_status"), ["status"], unique=False)
        batch_op.create_index("ix_referrals_status_expires_at", ["status", "expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_to_organization_id"), ["to_organization_id"], unique=False)

    op.create_table("referral_emails",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("referral_id", sa.Integer(), nullable=False),
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
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name=op.f("ck_referral_emails_state")),
    sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"], name=op.f("fk_referral_emails_referral_id_referrals"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_referral_emails_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_emails")),
    sa.UniqueConstraint("message_id", name=op.f("uq_referral_emails_message_id"))
    )
    with op.batch_alter_table("referral_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_emails_referral_id"), ["referral_id"], unique=False)
        batch_op.create_index("ix_referral_emails_state_due_at", ["state", "due_at"], unique=False)



def downgrade():
    with op.batch_alter_table("referral_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_emails_state_due_at")
        batch_op.drop_index(batch_op.f("ix_referral_emails_referral_id"))

    op.drop_table("referral_emails")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_to_organization_id"))
        batch_op.drop_index("ix_referrals_status_expires_at")
        batch_op.drop_index(batch_op.f("ix_referrals_status"))
        batch_op.drop_index("ix_referrals_kind_status_share_ends_on")
        batch_op.drop_index(batch_op.f("ix_referrals_from_organization_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_contact_id"))

    op.drop_table("referrals")
