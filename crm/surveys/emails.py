"""The surveys' outbox: a ``Survey`` is its own email (crm/outbox.py: claimed, sent once, retried).
It holds no address: the contact's, with their language, is read at send time, so an erased contact,
or one who withdrew their consent, is sent nothing."""
import logging
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy.orm import selectinload

from crm import mail, outbox
from crm.domain import QUEBEC
from crm.formatting import format_day
from crm.i18n import _, force_locale
from crm.surveys.models import Survey
from crm.surveys.tokens import survey_token

log = logging.getLogger(__name__)

DATE_LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def send_due(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Send the surveys due, batch after batch; returns how many were sent. Commits."""
    return outbox.send_due(Survey, me=me, now=now, batch=batch, build=_build, label="survey",
                           options=(selectinload(Survey.contact), selectinload(Survey.session),
                                    selectinload(Survey.cohort), selectinload(Survey.organization)))


def _skip_reason(survey: Survey, now: datetime) -> str | None:
    contact = survey.contact
    if contact is None or not contact.can_receive_email:
        return "contact erased or no longer receives emails"
    if survey.closes_utc <= now:
        return "survey closed before sending"
    return None


def _build(survey: Survey, now: datetime) -> tuple:
    reason = _skip_reason(survey, now)
    if reason is not None:
        return None, reason
    try:
        return build_message(survey), None
    except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
        log.exception("survey email %s could not be built", survey.id)
        return None, f"could not build the message: {type(error).__name__}"


def language_of(survey: Survey) -> str:
    language = survey.contact.preferred_language if survey.contact is not None else "fr"
    return language if language in current_app.config["LANGUAGES"] else "fr"


def subject_title(survey: Survey) -> str:
    """What the survey is about: the session's title, or the cohort's name."""
    return survey.session.title if survey.session is not None else survey.cohort.name


def build_message(survey: Survey) -> EmailMessage:
    language = language_of(survey)
    url = mail.external_url("surveys.answer", token=survey_token(survey.id), lang=language)
    closes_on = format_day(survey.closes_utc.astimezone(QUEBEC).date(), "long", DATE_LOCALES.get(language, "fr_CA"))
    with force_locale(language):
        title = _("Your opinion on %(title)s", title=subject_title(survey))
        text = mail.render_email(f"surveys/email/survey.{language}.txt", {
            "survey": survey, "contact": survey.contact, "url": url, "about": subject_title(survey),
            "organization": survey.organization.name, "closes_on": closes_on})
    return mail.new_message(to=survey.contact.email, subject=title, text=text, message_id=survey.message_id,
                            organization=survey.organization.name)
