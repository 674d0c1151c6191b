"""What a reminder email says: bilingual text and HTML, an .ics invitation, an opt-out link."""
from datetime import date
from email.message import EmailMessage
from functools import lru_cache

from flask import current_app
from icalendar import Calendar, Timezone, vCalAddress, vText
from itsdangerous import BadSignature, URLSafeSerializer

from crm import mail
from crm.cohorts import ics, timeutil
from crm.domain import QUEBEC
from crm.formatting import clock, format_day
from crm.i18n import _, force_locale

OPTOUT_SALT = "reminders-optout"


def optout_token(contact_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OPTOUT_SALT).dumps(contact_id)


def contact_id_from_token(token: str) -> int | None:
    try:
        value = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OPTOUT_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def when(session, language: str) -> dict:
    """The session's day and times in Québec time, written as ``language`` writes them (« 14 h 30 »)."""
    return between(session.starts_at, session.ends_at, language)


def between(starts, ends, language: str) -> dict:
    return {"day": format_day(timeutil.to_local(starts).date(), "full", language), "start": clock(starts, language),
            "end": clock(ends, language)}


def what_changed(changed, language: str) -> dict | None:
    """The update's « before → now », for the templates: times as ``when``, place and link as text."""
    if changed is None or not (changed.times or changed.place or changed.meeting_url):
        return None
    times = [between(*pair, language) for pair in changed.times] if changed.times else None
    return {"times": times, "place": changed.place, "meeting_url": changed.meeting_url}


def subject(row, session, moment) -> str:
    if row.kind == "cancel":
        return _("Cancelled: %(title)s on %(day)s", title=session.title, day=moment["day"])
    if row.kind == "update":
        return _("Changed: %(title)s on %(day)s at %(time)s", title=session.title, day=moment["day"],
                 time=moment["start"])
    return _("Reminder: %(title)s on %(day)s at %(time)s", title=session.title, day=moment["day"],
             time=moment["start"])


def build_message(row, *, now, changed=None) -> EmailMessage:
    """The email of outbox row ``row`` (session, contact and user loaded), with its stable Message-ID.

    ``changed``: for an update, what changed since the version its recipient was last sent
    (``queries.changes_told``), said first in the email."""
    session = row.session
    language = row.language if row.language in current_app.config["LANGUAGES"] else "fr"
    optout = mail.external_url("reminders.optout", token=optout_token(row.contact_id)) if row.contact_id else None
    with force_locale(language):
        moment = when(session, language)
        context = {"row": row, "programme_session": session, "when": moment, "optout_url": optout,
                   "changed": what_changed(changed, language) if row.kind == "update" else None,
                   "name": row.contact.first_name if row.contact else (row.user.full_name if row.user else ""),
                   "cohort": session.cohort.name if session.cohort else None,
                   "enterprise": session.enterprise.name if session.enterprise else None,
                   "mode": session.mode}
        title = subject(row, session, moment)
        text = mail.render_email(f"reminders/email/reminder.{language}.txt", context)
        html = mail.render_email(f"reminders/email/reminder.{language}.html", {**context, "subject": title})
    message = mail.new_message(to=row.email, subject=title, text=text, html=html, message_id=row.message_id,
                               organization=session.organization.name)
    if optout:
        # RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" to the link.
        message["List-Unsubscribe"] = f"<{optout}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    method = "CANCEL" if row.kind == "cancel" else "REQUEST"
    message.add_attachment(invitation(session, row.email, method=method, now=now), maintype="text",
                           subtype="calendar", filename="invitation.ics", params={"method": method, "charset": "utf-8"})
    return message


def invitation(session, attendee: str, *, method: str, now) -> bytes:
    """An iTIP invitation (RFC 5546): same UID as the calendar feeds, the session's current SEQUENCE."""
    calendar = Calendar()
    calendar.add("prodid", ics.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = ics.session_event(session, dtstamp=now)
    sender = mail.sender(session.organization.name)
    organizer = vCalAddress("mailto:" + sender.addr_spec)
    organizer.params["cn"] = vText(sender.display_name)
    event.add("organizer", organizer)
    event.add("attendee", vCalAddress("mailto:" + attendee), parameters={"ROLE": "REQ-PARTICIPANT"})
    calendar.add_component(_quebec_timezone(timeutil.to_local(session.starts_at).year))
    calendar.add_component(event)
    return calendar.to_ical()


@lru_cache(maxsize=8)
def _quebec_timezone(year: int) -> Timezone:
    """America/Montreal's VTIMEZONE around ``year``: built once per process (it is the slow part)."""
    return Timezone.from_tzinfo(QUEBEC, tzid=QUEBEC.key, first_date=date(year - 1, 1, 1),
                                last_date=date(year + 1, 12, 31))
