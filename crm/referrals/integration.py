"""Where referrals meet the other features, through the signals of crm/signals.py: the worker's round
(shares that end, referrals that expire, the outbox), the enterprise page's section, the history's
words, the menu, the dashboard's figures and a contact's erasure."""
from datetime import datetime

from sqlalchemy import select, update

from crm import access, signals
from crm.audit.models import AuditEntry
from crm.contributions import ActivityFigure, ActivityQuery, Field, HistoryTerms, MenuItem, Section, codes, show_date
from crm.db import utcnow
from crm.extensions import db
from crm.i18n import _l, lazy_pgettext
from crm.organizations.models import Organization
from crm.privacy.erasure import ERASED
from crm.referrals import emails, queries, services
from crm.referrals.forms import CONSENT_STATUS_LABELS, SHARED_LABELS, SHORT_KIND_LABELS, STATUS_LABELS
from crm.referrals.models import Referral, ReferralEmail
from crm.transaction import step

SECTION_ORDER = 70


def run_round(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Close the shares that reached their end date and expire the referrals nobody answered (one
    step), then send the referral emails due. Returns how many emails were sent."""
    with step():
        services.close_ended_shares(now)
        services.expire_unanswered(now)
    return emails.send_due(me=me, now=now, batch=batch)


@signals.outboxes.connect
def worker_round(_sender, *, me, batch=None, **_extra):
    return run_round(me=me, batch=batch)


@signals.enterprise_sections.connect
def enterprise_section(enterprise, *, user, **_extra):
    referrals = db.session.scalars(queries.of_enterprise(user, enterprise.id)).all()
    # One referral at a time (services.in_progress): the one under way is listed instead of the button.
    can_refer = (access.can_refer_enterprise(user, enterprise)
                 and not any(r.is_open or r.is_running_share for r in referrals))
    if not referrals and not can_refer:
        return None
    return Section("referrals/_enterprise_section.html", {
        "referrals": referrals, "can_refer": can_refer, "statuses": STATUS_LABELS, "kinds": SHORT_KIND_LABELS,
    }, order=SECTION_ORDER, anchor="referrals", label=_l("Referrals"))


def _shared_text(value) -> str:
    return ", ".join(str(SHARED_LABELS.get(code, code)) for code in str(value or "").split())


@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        entities={"referrals": _l("Referral")},
        actions={"refer": lazy_pgettext("history", "Referred"),
                 "referral_consent": lazy_pgettext("history", "Contact's consent recorded"),
                 "referral_accept": lazy_pgettext("history", "Referral accepted"),
                 "referral_decline": lazy_pgettext("history", "Referral declined"),
                 "referral_expire": lazy_pgettext("history", "Referral expired"),
                 "referral_end": lazy_pgettext("history", "Share ended"),
                 "referral_end_early": lazy_pgettext("history", "Share ended before its date"),
                 "referral_transfer": lazy_pgettext("history", "Moved to another organization")},
        fields={"referrals": {
            "kind": Field(_l("Kind"), codes(SHORT_KIND_LABELS)),
            "from_organization_id": Field(_l("Referred by"), names=Organization.name),
            "to_organization_id": Field(_l("Referred to"), names=Organization.name),
            "purpose": Field(_l("Purpose")), "shared": Field(_l("What is shared"), _shared_text),
            "contact_id": Field(_l("Contact")), "consent_method": Field(_l("Consent")),
            "consent_status": Field(_l("Consent"), codes(CONSENT_STATUS_LABELS)),
            "consent_source": Field(_l("How the contact agreed")),
            "status": Field(_l("Status"), codes(STATUS_LABELS)),
            "share_ends_on": Field(_l("End of the share"), show_date)}},
        contexts={"referral_consent": {"source": Field(_l("How the contact answered"))},
                  "referral_transfer": {"follow_ups": Field(_l("Open follow-ups reassigned")),
                                        "sessions": Field(_l("Future sessions moved"))}},
        # i18n: how a contact's consent to a referral was given: the link of the email that asked for it
        values={services.EMAIL_LINK: _l("Link of the email asking for consent")},
    )


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("referrals.index", _l("Referrals"), 12, access.can_list_referrals)


def referral_values(scope) -> list:
    if scope.organization_id is not None:
        rows = queries.figures_by_organization(scope.organization_id, scope)
        figures = rows[0] if rows else {"sent": 0, "received": 0, "accepted": 0}
        return [figures["sent"], figures["received"], figures["accepted"], queries.stage_credit(scope)]
    rows = queries.figures_by_organization(None, scope)
    # Programme-wide, an enterprise referred twice (to two organizations) counts once per organization.
    return [sum(r["sent"] for r in rows), sum(r["received"] for r in rows), sum(r["accepted"] for r in rows),
            queries.stage_credit(scope)]


def referral_figures(values: list) -> list[ActivityFigure]:
    sent, received, accepted, credit = values
    return [ActivityFigure(_l("Enterprises referred to another organization"), sent),
            ActivityFigure(_l("Enterprises received from another organization"), received),
            ActivityFigure(_l("Referrals received and accepted"), accepted),
            ActivityFigure(_l("Enterprises brought to awareness or beyond by the organization"), credit)]


@signals.dashboard_activity.connect
def activity_query(_sender, **_extra):
    return ActivityQuery("referrals", referral_values, referral_figures)


@signals.contact_anonymized.connect
def forget_contact(contact, **_extra):
    """An erased contact is asked nothing more, and how they answered (typed by a coach, it may name
    them) is erased, here and in the referrals' history; the answer itself stays, statistics count it."""
    ids = select(Referral.id).where(Referral.contact_id == contact.id).scalar_subquery()
    db.session.execute(update(ReferralEmail).where(ReferralEmail.referral_id.in_(ids),
                                                   ReferralEmail.user_id.is_(None), ReferralEmail.state == "pending")
                       .values(state="cancelled", last_error="contact erased", updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Referral).where(Referral.contact_id == contact.id, Referral.consent_source.is_not(None),
                                              Referral.consent_source != services.EMAIL_LINK)
                       .values(consent_source=ERASED).execution_options(synchronize_session=False))
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == Referral.__tablename__, AuditEntry.entity_id.in_(ids),
        AuditEntry.action == "referral_consent"))
    for entry in entries:
        if (entry.context or {}).get("source") not in (None, services.EMAIL_LINK):
            entry.context = {**entry.context, "source": ERASED}
