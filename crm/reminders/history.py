"""How the reminders' writes read in an enterprise's history: a failed reminder sent again, a session's
reminder schedule, and the opt-out link as the way a consent was withdrawn.

Imported by ``crm.reminders.views`` so that registering the blueprint registers these terms. A resent
reminder's last error is not shown: it may hold the address of a person since anonymized.
"""
from crm.enterprises.history import Field, codes, register_history_terms
from crm.i18n import _l, lazy_pgettext, ngettext
from crm.reminders.forms import STATE_LABELS
from crm.reminders.models import parse_offsets
from crm.reminders.services import OPTOUT_SOURCE


def offset_text(minutes: int) -> str:
    """1440 → "1 day before", 90 → "90 minutes before"."""
    if minutes % 1440 == 0:
        return ngettext("%(num)s day before", "%(num)s days before", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)s hour before", "%(num)s hours before", minutes // 60)
    return ngettext("%(num)s minute before", "%(num)s minutes before", minutes)


def offsets_text(value) -> str:
    """A session's stored offsets, "10080,60" → "7 days before, 1 hour before"."""
    try:
        return ", ".join(offset_text(minutes) for minutes in parse_offsets(value))
    except ValueError:
        return str(value)


register_history_terms(
    entities={"reminders": _l("Email reminder")},
    actions={"resend_reminder": lazy_pgettext("history", "Sent again"),
             "reminder_offsets": lazy_pgettext("history", "Reminder schedule changed")},
    fields={"reminders": {"state": Field(_l("State"), codes(STATE_LABELS))},
            # No offsets of its own: the session follows REMINDER_OFFSETS_MINUTES.
            "sessions": {"offsets": Field(_l("Reminders"), offsets_text, blank=_l("Programme default"))}},
    # How the privacy module's consent entries name the reminders' opt-out link.
    values={OPTOUT_SOURCE: _l("Opt-out link of a reminder email")},
)
