"""Public events: their sessions, registrations with the waiting list, messages and the events' outbox

Revision ID: a1fd2a958360
Revises: f5d965c9b5b5
Create Date: 2026-12-03 13:44:37.709122

"""
import sqlalchemy as sa
from alembic import op

revision = "a1fd2a958360"
down_revision = "f5d965c9b5b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("meeting_url", sa.String(length=500), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=True),
        sa.Column("languages", sa.String(length=10), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("registration_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("double_opt_in", sa.Boolean(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uid", sa.String(length=80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f("ck_events_status")),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_events_capacity")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_events_created_by_id_users")),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
            name=op.f("fk_events_organization_id_organizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("uid", name=op.f("uq_events_uid"))
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index("ix_events_status_starts_at", ["status", "starts_at"], unique=False)

    op.create_table(
        "event_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("include_waiting", sa.Boolean(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
            name=op.f("fk_event_messages_event_id_events"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_event_messages_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_messages"))
    )
    with op.batch_alter_table("event_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_messages_event_id"), ["event_id"], unique=False)

    op.create_table(
        "event_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_event_sessions_times")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
            name=op.f("fk_event_sessions_event_id_events"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sessions"))
    )
    with op.batch_alter_table("event_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_sessions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("neq", sa.String(length=10), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("legal_form", sa.String(length=30), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("consent_reminders", sa.Boolean(), nullable=False),
        sa.Column("consent_follow_up", sa.Boolean(), nullable=False),
        sa.Column("address_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("match_status", sa.String(length=20), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("proposed_enterprise_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("attended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attendance_source", sa.String(length=20), nullable=True),
        sa.Column("attended_minutes", sa.Integer(), nullable=True),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('unconfirmed', 'confirmed', 'waiting', 'cancelled')",
            name=op.f("ck_event_registrations_status")),
        sa.ForeignKeyConstraint(["checked_in_by_id"], ["users.id"],
            name=op.f("fk_event_registrations_checked_in_by_id_users")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
            name=op.f("fk_event_registrations_contact_id_contacts")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"],
            name=op.f("fk_event_registrations_enterprise_id_enterprises")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
            name=op.f("fk_event_registrations_event_id_events"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposed_enterprise_id"], ["enterprises.id"],
            name=op.f("fk_event_registrations_proposed_enterprise_id_enterprises")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_registrations"))
    )
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_registrations_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_registrations_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index("ix_event_registrations_event_id_email_key", ["event_id", "email_key"], unique=False)
        batch_op.create_index("ix_event_registrations_event_id_match_status",
                              ["event_id", "match_status"], unique=False)
        batch_op.create_index("ix_event_registrations_event_id_status", ["event_id", "status"], unique=False)

    op.create_table(
        "event_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_session_id", sa.Integer(), nullable=True),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("event_message_id", sa.Integer(), nullable=True),
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
            name=op.f("ck_event_emails_state")),
        sa.ForeignKeyConstraint(["event_message_id"], ["event_messages.id"],
            name=op.f("fk_event_emails_event_message_id_event_messages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_session_id"], ["event_sessions.id"],
            name=op.f("fk_event_emails_event_session_id_event_sessions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["event_registrations.id"],
            name=op.f("fk_event_emails_registration_id_event_registrations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_emails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_event_emails_message_id"))
    )
    with op.batch_alter_table("event_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_emails_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index("ix_event_emails_state_due_at", ["state", "due_at"], unique=False)



def downgrade():
    with op.batch_alter_table("event_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_event_emails_state_due_at")
        batch_op.drop_index(batch_op.f("ix_event_emails_registration_id"))

    op.drop_table("event_emails")
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_event_registrations_event_id_status")
        batch_op.drop_index("ix_event_registrations_event_id_match_status")
        batch_op.drop_index("ix_event_registrations_event_id_email_key")
        batch_op.drop_index(batch_op.f("ix_event_registrations_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_event_registrations_contact_id"))

    op.drop_table("event_registrations")
    with op.batch_alter_table("event_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_sessions_event_id"))

    op.drop_table("event_sessions")
    with op.batch_alter_table("event_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_messages_event_id"))

    op.drop_table("event_messages")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_status_starts_at")
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_events_region_code"))
        batch_op.drop_index(batch_op.f("ix_events_organization_id"))

    op.drop_table("events")
