"""How the reminders' writes read in an enterprise's history: a failed reminder sent again, a session's
reminder schedule, and the opt-out link as the way a consent was withdrawn; and why a reminder failed.

Imported by ``crm.reminders.views`` so that registering the blueprint registers these terms. A resent
reminder's last error is not shown: it may hold the address of a person since anonymized.
"""
from crm import signals
from crm.contributions import Field, HistoryTerms, codes
from crm.i18n import _, _l, lazy_pgettext, ngettext
from crm.reminders.forms import STATE_LABELS
from crm.reminders.models import parse_offsets
from crm.reminders.sending import BUILD_FAILED, GAVE_UP
from crm.reminders.services import OPTOUT_SOURCE


def offset_text(minutes: int) -> str:
    """1440 → "1 day before", 90 → "90 minutes before"."""
    if minutes % 1440 == 0:
        return ngettext("%(num)s day before", "%(num)s days before", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)s hour before", "%(num)s hours before", minutes // 60)
    return ngettext("%(num)s minute before", "%(num)s minutes before", minutes)


def error_text(error: str | None) -> str:
    """Why a reminder failed, as the reminders pages show it: Virage's own reasons in the reader's
    language, the mail server's answer in its own words."""
    if not error:
        return ""
    if error.startswith(BUILD_FAILED):
        detail = error[len(BUILD_FAILED):].strip(" ()")
        return _("The email could not be built from the session's details (%(error)s). Correct the session "
                 "(title, place, link), then send it again.", error=detail or "?")
    if error == GAVE_UP:
        return _("The sender stopped while sending this email, too many times.")
    return error


def offsets_text(value) -> str:
    """A session's stored offsets, "10080,60" → "7 days before, 1 hour before"."""
    try:
        return ", ".join(offset_text(minutes) for minutes in parse_offsets(value))
    except ValueError:
        return str(value)


@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        entities={"reminders": _l("Email reminder")},
        actions={"resend_reminder": lazy_pgettext("history", "Sent again"),
                 "reminder_offsets": lazy_pgettext("history", "Reminder schedule changed")},
        fields={"reminders": {"state": Field(_l("State"), codes(STATE_LABELS))},
                # No offsets of its own: the session follows REMINDER_OFFSETS_MINUTES.
                "sessions": {"offsets": Field(_l("Reminders"), offsets_text, blank=_l("Programme default"))}},
        # How the contacts' consent entries name the reminders' opt-out link.
        values={OPTOUT_SOURCE: _l("Opt-out link of a reminder email")},
    )
