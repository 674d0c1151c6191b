"""Write operations on referrals. They flush, never commit, take an explicit actor and audit every step.

The path of a referral: ``refer`` (the consent recorded, or asked by email) → the contact answers
(``answer_consent`` on the public page, or ``record_consent`` by the referring side) → the receiving
organization ``accept``s, choosing a coach, or ``decline``s with a reason. A move gives it the
enterprise for good; a share until ``share_ends_on``, when the worker (``close_ended_shares``) gives
it back, unless one of the two organizations ends it earlier (``end_share``). Referrals nobody answered
expire (``expire_unanswered``).
"""
import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from crm import signals
from crm.audit import services as audit
from crm.auth.models import User
from crm.cohorts.models import ProgrammeSession
from crm.db import as_utc, utcnow
from crm.domain import QUEBEC, DomainError
from crm.enterprises.models import Enterprise, FollowUpTask
from crm.extensions import db
from crm.i18n import _l
from crm.referrals import emails
from crm.referrals.models import KINDS, OPEN_STATUSES, SHARED_PARTS, Referral

log = logging.getLogger(__name__)

# Stored as the consent's source when the contact answered through the emailed link (shown translated).
EMAIL_LINK = "referral-email-link"
REFERRAL_FIELDS = ("kind", "from_organization_id", "to_organization_id", "purpose", "shared", "contact_id",
                   "consent_method", "consent_status", "consent_source", "status", "share_ends_on")


def _actor_id(actor):
    return getattr(actor, "id", None)


def today(now: datetime) -> date:
    return now.astimezone(QUEBEC).date()


def in_progress(enterprise_id: int):
    """The enterprise's referral still open, or its share still running: one at a time."""
    return db.session.scalar(select(Referral).where(
        Referral.enterprise_id == enterprise_id,
        Referral.status.in_(OPEN_STATUSES) | ((Referral.kind == "share") & (Referral.status == "accepted")))
        .limit(1))


def refer(enterprise: Enterprise, *, actor, to_organization, kind: str, purpose: str, shared, contact,
          consent_method: str, consent_source: str | None = None, message: str | None = None,
          share_ends_on: date | None = None, now: datetime | None = None) -> Referral:
    now = now or utcnow()
    if enterprise.archived_at is not None:
        raise DomainError(_l("An archived enterprise cannot be referred."))
    if to_organization is None or not to_organization.is_active:
        raise DomainError(_l("Choose an active organization."), field="to_organization_id")
    if to_organization.id == enterprise.organization_id:
        raise DomainError(_l("This organization already follows the enterprise."), field="to_organization_id")
    if kind not in KINDS:
        raise DomainError(_l("Choose the kind of referral."), field="kind")
    if kind == "share" and (share_ends_on is None or share_ends_on <= today(now)):
        raise DomainError(_l("A share needs an end date after today."), field="share_ends_on")
    if kind == "move":
        share_ends_on = None
    shared = [part for part in SHARED_PARTS if part in set(shared or ())]
    if "record" not in shared:
        raise DomainError(_l("The enterprise's record is always part of what is shared."), field="shared")
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_l("Say why the enterprise is referred."), field="purpose")
    if contact is None or contact.enterprise_id != enterprise.id or contact.archived_at or contact.anonymized_at:
        raise DomainError(_l("Choose a current contact of the enterprise."), field="contact_id")
    consent_source = (consent_source or "").strip() or None
    if consent_method == "recorded" and not consent_source:
        raise DomainError(_l("Say how the contact agreed."), field="consent_source")
    if consent_method == "email" and not contact.email:
        raise DomainError(_l("This contact has no email address: record their consent instead."),
                          field="consent_method")
    if consent_method not in ("recorded", "email"):
        raise DomainError(_l("Choose how the consent is obtained."), field="consent_method")
    if in_progress(enterprise.id) is not None:
        raise DomainError(_l("This enterprise already has a referral in progress."))
    referral = Referral(
        enterprise_id=enterprise.id, kind=kind, from_organization_id=enterprise.organization_id,
        to_organization_id=to_organization.id, referred_by_id=_actor_id(actor), purpose=purpose,
        message=(message or "").strip() or None, shared=" ".join(shared), contact_id=contact.id,
        consent_method=consent_method, consent_status="pending", status="consent_pending",
        share_ends_on=share_ends_on, expires_at=now + timedelta(days=current_app.config["REFERRAL_EXPIRY_DAYS"]),
        created_at=now, updated_at=now)
    db.session.add(referral)
    db.session.flush()
    audit.record("refer", referral, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(referral, REFERRAL_FIELDS))
    log.info("enterprise %s referred to organization %s by user %s (referral %s)", enterprise.id,
             to_organization.id, _actor_id(actor), referral.id)
    if consent_method == "recorded":
        _consent_given(referral, actor=actor, source=consent_source, now=now)
    else:
        emails.queue(referral, "consent_request", now=now)
    return referral


def _consent_given(referral: Referral, *, actor, source: str, now: datetime) -> None:
    """The consent is on record: the receiving organization is told, and the communication logged (Law 25)."""
    referral.consent_status, referral.consent_source, referral.consent_at = "given", source, now
    referral.consent_recorded_by_id = _actor_id(actor)
    referral.status = "sent"
    audit.record("referral_consent", referral, actor=actor, enterprise_id=referral.enterprise_id,
                 changes={"consent_status": ["pending", "given"], "status": ["consent_pending", "sent"]},
                 context={"source": source})
    signals.personal_information_accessed.send(
        referral.referred_by, action="communicate_enterprise", subject_type="enterprises",
        subject_id=referral.enterprise_id,
        details={"referral_id": referral.id, "to_organization_id": referral.to_organization_id,
                 "shared": list(referral.shared_parts)})
    for manager_id in _active_manager_ids(referral.to_organization_id):
        emails.queue(referral, "received", user_id=manager_id, now=now)


def _consent_refused(referral: Referral, *, actor, source: str, now: datetime) -> None:
    referral.consent_status, referral.consent_source, referral.consent_at = "refused", source, now
    referral.consent_recorded_by_id = _actor_id(actor)
    referral.status, referral.decided_at = "declined", now
    audit.record("referral_consent", referral, actor=actor, enterprise_id=referral.enterprise_id,
                 changes={"consent_status": ["pending", "refused"], "status": ["consent_pending", "declined"]},
                 context={"source": source})
    _tell_referrer(referral, "consent_refused", now)


def _answerable(referral: Referral, now: datetime) -> None:
    if referral.status != "consent_pending":
        raise DomainError(_l("This referral no longer waits for the contact's answer."))
    if as_utc(referral.expires_at) <= now:
        raise DomainError(_l("This referral expired."))


def record_consent(referral: Referral, *, actor, given: bool, source: str, now: datetime | None = None) -> None:
    """The contact answered otherwise than through the email (by phone, in person): the referring side records it."""
    now = now or utcnow()
    _answerable(referral, now)
    source = (source or "").strip()
    if not source:
        raise DomainError(_l("Say how the contact answered."), field="source")
    (_consent_given if given else _consent_refused)(referral, actor=actor, source=source, now=now)
    db.session.flush()


def answer_consent(referral: Referral, *, given: bool, now: datetime | None = None) -> None:
    """The contact's own answer, on the public page reached by the signed link."""
    now = now or utcnow()
    _answerable(referral, now)
    (_consent_given if given else _consent_refused)(referral, actor=None, source=EMAIL_LINK, now=now)
    db.session.flush()
    log.info("referral %s: the contact %s", referral.id, "agreed" if given else "refused")


def _decidable(referral: Referral) -> None:
    if referral.status != "sent":
        raise DomainError(_l("This referral is not waiting for a decision."))


def accept(referral: Referral, *, actor, coach, now: datetime | None = None) -> None:
    """The receiving organization takes the enterprise (for good, or until the share ends), with its coach."""
    now = now or utcnow()
    _decidable(referral)
    if (coach is None or coach.role != "coach" or not coach.is_active
            or coach.organization_id != referral.to_organization_id):
        raise DomainError(_l("Choose an active coach of the receiving organization."), field="coach_id")
    enterprise = referral.enterprise
    if enterprise.organization_id != referral.from_organization_id or enterprise.archived_at is not None:
        raise DomainError(_l("The enterprise changed hands or was archived since it was referred."))
    referral.previous_coach_id = enterprise.coach_id
    referral.status, referral.decided_at, referral.decided_by_id = "accepted", now, _actor_id(actor)
    referral.coach_id = coach.id
    audit.record("referral_accept", referral, actor=actor, enterprise_id=enterprise.id,
                 changes={"status": ["sent", "accepted"], "coach_id": [None, coach.id]})
    transfer(enterprise, referral.to_organization_id, coach, actor=actor, referral=referral, now=now)
    _tell_referrer(referral, "accepted", now)
    if coach.id != _actor_id(actor):
        emails.queue(referral, "assigned", user_id=coach.id, now=now)
    log.info("referral %s accepted by user %s", referral.id, _actor_id(actor))


def decline(referral: Referral, *, actor, reason: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    _decidable(referral)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the referral is declined."), field="reason")
    referral.status, referral.decided_at, referral.decided_by_id = "declined", now, _actor_id(actor)
    referral.decline_reason = reason
    audit.record("referral_decline", referral, actor=actor, enterprise_id=referral.enterprise_id,
                 changes={"status": ["sent", "declined"]}, context={"reason": reason})
    _tell_referrer(referral, "declined", now)
    db.session.flush()
    log.info("referral %s declined by user %s", referral.id, _actor_id(actor))


def transfer(enterprise: Enterprise, organization_id: int, coach, *, actor, referral: Referral,
             now: datetime) -> tuple[int, int]:
    """The enterprise, its open follow-ups and its future individual sessions go to ``organization_id``
    and ``coach``; its history stays (each stage change keeps the organization that made it).
    Returns (follow-ups reassigned, sessions moved)."""
    coach_id = coach.id if coach is not None else None
    tasks = db.session.scalars(select(FollowUpTask).where(FollowUpTask.enterprise_id == enterprise.id,
                                                          FollowUpTask.done_at.is_(None))).all()
    for task in tasks:
        task.assignee_id = coach_id
    sessions = db.session.scalars(select(ProgrammeSession).where(
        ProgrammeSession.enterprise_id == enterprise.id, ProgrammeSession.status == "scheduled",
        ProgrammeSession.starts_at > now)).all()
    for session in sessions:
        session.organization_id = organization_id
        session.facilitator_id = coach_id
    audit.record("referral_transfer", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes={"organization_id": [enterprise.organization_id, organization_id],
                          "coach_id": [enterprise.coach_id, coach_id]},
                 context={"referral_id": referral.id, "follow_ups": len(tasks), "sessions": len(sessions)})
    enterprise.organization_id = organization_id
    enterprise.coach_id = coach_id
    enterprise.last_activity_at = now
    db.session.flush()
    return len(tasks), len(sessions)


def _tell_referrer(referral: Referral, kind: str, now: datetime) -> None:
    if referral.referred_by_id is not None:
        emails.queue(referral, kind, user_id=referral.referred_by_id, now=now)


# The worker's rounds (crm/referrals/integration.py) ----------------------------------------------

def close_ended_shares(now: datetime | None = None) -> int:
    """Shares whose end date came: the enterprise returns to the organization that shared it."""
    now = now or utcnow()
    due = db.session.scalars(select(Referral).where(
        Referral.kind == "share", Referral.status == "accepted", Referral.share_ends_on <= today(now))
        .order_by(Referral.id)).all()
    for referral in due:
        _close_share(referral, actor=None, now=now)
    db.session.flush()
    return len(due)


def end_share(referral: Referral, *, actor, now: datetime | None = None) -> None:
    """A running share ended before its date, by one of the two organizations (or the programme office):
    closed as the worker closes it on its date, and the other side told."""
    now = now or utcnow()
    if not referral.is_running_share:
        raise DomainError(_l("This referral is not a running share."))
    _close_share(referral, actor=actor, now=now)
    db.session.flush()


def _active_manager_ids(organization_id: int) -> list[int]:
    """Who is told of what reaches an organization: its active managers."""
    return list(db.session.scalars(select(User.id).where(
        User.organization_id == organization_id, User.role == "manager", User.is_active.is_(True))
        .order_by(User.id)))


def _close_share(referral: Referral, *, actor, now: datetime) -> None:
    """The enterprise returns to the organization that shared it, with its coach of before when they
    still coach there. ``actor`` None: the worker, on the end date; else ended early by a person."""
    enterprise = referral.enterprise
    previous = db.session.get(User, referral.previous_coach_id) if referral.previous_coach_id else None
    if previous is not None and not (previous.is_active and previous.role == "coach"
                                     and previous.organization_id == referral.from_organization_id):
        previous = None
    receiving_coach_id = enterprise.coach_id if enterprise.organization_id == referral.to_organization_id else None
    referral.status, referral.ended_at = "ended", now
    audit.record("referral_end" if actor is None else "referral_end_early", referral, actor=actor,
                 enterprise_id=enterprise.id, changes={"status": ["accepted", "ended"]})
    if enterprise.organization_id == referral.to_organization_id:
        transfer(enterprise, referral.from_organization_id, previous, actor=actor, referral=referral, now=now)
    actor_organization_id = getattr(actor, "organization_id", None)
    if actor is None or actor_organization_id != referral.from_organization_id:
        _tell_referrer(referral, "ended", now)
    if actor is not None and actor_organization_id != referral.to_organization_id:
        # Ended by the sharer (or the programme office): the receiving side's managers and coach are told.
        receivers = set(_active_manager_ids(referral.to_organization_id))
        if receiving_coach_id is not None:
            receivers.add(receiving_coach_id)
        for user_id in sorted(receivers - {_actor_id(actor)}):
            emails.queue(referral, "ended_early", user_id=user_id, now=now)
    log.info("referral %s: share ended%s, enterprise %s back to organization %s", referral.id,
             "" if actor is None else f" early by user {_actor_id(actor)}", enterprise.id,
             referral.from_organization_id)


def expire_unanswered(now: datetime | None = None) -> int:
    """Referrals still waiting for the contact or the receiving organization past their deadline."""
    now = now or utcnow()
    due = db.session.scalars(select(Referral).where(Referral.status.in_(OPEN_STATUSES), Referral.expires_at <= now)
                             .order_by(Referral.id)).all()
    for referral in due:
        audit.record("referral_expire", referral, actor=None, enterprise_id=referral.enterprise_id,
                     changes={"status": [referral.status, "expired"]})
        referral.status = "expired"
        _tell_referrer(referral, "expired", now)
    db.session.flush()
    if due:
        log.info("%s referral(s) expired", len(due))
    return len(due)
