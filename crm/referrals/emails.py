"""The referrals' outbox: every email about a referral is a ``ReferralEmail`` row, queued in the request
that decided it and sent by ``flask reminders send`` (crm/outbox.py: claims, retries, a Message-ID
fixed at queuing). A row holds no address: the contact's or the user's is read at send time, with
their language; a consent request for a referral answered meanwhile is not sent."""
import logging
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy.orm import selectinload

from crm import mail, outbox
from crm.extensions import db
from crm.formatting import format_day
from crm.i18n import _, force_locale
from crm.referrals.models import Referral, ReferralEmail
from crm.referrals.tokens import consent_token

log = logging.getLogger(__name__)

DATE_LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def queue(referral: Referral, kind: str, *, now: datetime, user_id: int | None = None) -> ReferralEmail:
    row = ReferralEmail(referral_id=referral.id, kind=kind, user_id=user_id, due_at=now, state="pending",
                        attempts=0, created_at=now, updated_at=now, message_id=outbox.new_message_id("referral"))
    db.session.add(row)
    return row


def send_due(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Send the referral emails due, batch after batch; returns how many were sent. Commits."""
    return outbox.send_due(ReferralEmail, me=me, now=now, batch=batch, build=lambda row, _now: _build(row),
                           label="referral",
                           options=(selectinload(ReferralEmail.referral).selectinload(Referral.enterprise),
                                    selectinload(ReferralEmail.referral).selectinload(Referral.contact),
                                    selectinload(ReferralEmail.user)))


def _recipient(row: ReferralEmail) -> tuple[str | None, str, str | None]:
    """(address, language, why nothing is sent)."""
    languages = current_app.config["LANGUAGES"]
    if row.user_id is None:
        contact = row.referral.contact
        if contact is None or contact.anonymized_at is not None or not contact.email:
            return None, "fr", "contact erased or without an address"
        if row.referral.status != "consent_pending":
            return None, "fr", "referral already answered"
        language = contact.preferred_language
        return contact.email, language if language in languages else "fr", None
    user = row.user
    if user is None or not user.is_active:
        return None, "fr", "user inactive"
    return user.email, user.locale if user.locale in languages else "fr", None


def _build(row: ReferralEmail) -> tuple:
    address, language, reason = _recipient(row)
    if reason is not None:
        return None, reason
    try:
        return build_message(row, address, language), None
    except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
        log.exception("referral email %s could not be built", row.id)
        return None, f"could not build the message: {type(error).__name__}"


def subject(kind: str, referral: Referral) -> str:
    name = referral.enterprise.name
    if kind == "consent_request":
        return _("Your consent is asked: %(organization)s would follow %(enterprise)s",
                 organization=referral.to_organization.name, enterprise=name)
    if kind == "received":
        return _("Referral received: %(enterprise)s", enterprise=name)
    if kind == "assigned":
        return _("You now follow %(enterprise)s (referred by %(organization)s)", enterprise=name,
                 organization=referral.from_organization.name)
    if kind == "accepted":
        return _("Referral accepted: %(enterprise)s", enterprise=name)
    if kind == "declined":
        return _("Referral declined: %(enterprise)s", enterprise=name)
    if kind == "consent_refused":
        return _("The contact refused the referral: %(enterprise)s", enterprise=name)
    if kind == "expired":
        return _("Referral expired without an answer: %(enterprise)s", enterprise=name)
    if kind == "ended_early":
        return _("Share ended early: %(enterprise)s returns to %(organization)s", enterprise=name,
                 organization=referral.from_organization.name)
    return _("Share ended: %(enterprise)s is back with your organization", enterprise=name)


def build_message(row: ReferralEmail, address: str, language: str) -> EmailMessage:
    referral = row.referral
    if row.user_id is None:
        url = mail.external_url("referrals.consent", token=consent_token(referral.id), lang=language)
    else:
        url = mail.external_url("referrals.detail", referral_id=referral.id)
    ends_on = (format_day(referral.share_ends_on, "long", DATE_LOCALES.get(language, "fr_CA"))
               if referral.share_ends_on else None)
    with force_locale(language):
        title = subject(row.kind, referral)
        text = mail.render_email(f"referrals/email/referral.{language}.txt",
                                 {"row": row, "referral": referral, "url": url, "subject": title,
                                  "contact": referral.contact, "ends_on": ends_on})
    return mail.new_message(to=address, subject=title, text=text, message_id=row.message_id,
                            organization=referral.from_organization.name)
