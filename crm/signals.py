"""The named signals through which features contribute to each other (blinker, shipped with Flask).

A feature that shows or does something in another feature's place (an entry of the main menu, a
section of the enterprise page, a bulk action of the enterprise list, figures of the dashboard,
a section of a contact's export, the erasure of a contact, an entry of the access log) connects a
receiver to one of these signals; the feature that sends the signal does not know who answers.
Receivers are decorated with ``@signals.<name>.connect`` in the module of the feature that owns
what they return (see docs/architecture.md), and build their answers from the types of
crm/contributions.py, so that no feature imports another to answer it; ``answers(signal, sender,
**kwargs)`` collects what they returned.

Each signal says what it sends and what its receivers return.
"""
from blinker import Namespace, Signal

_signals = Namespace()

menu_items = _signals.signal("menu-items", doc="""
Sender: None. Receivers return a ``crm.contributions.MenuItem`` or a list of them; the header shows
those whose ``shown_to(user)`` is true, by ``order``.""")

enterprise_sections = _signals.signal("enterprise-sections", doc="""
Sender: the Enterprise shown; keyword ``user``. Receivers return a
``crm.contributions.Section`` (a template, its context, an order) or None to show nothing
to this user; a receiver runs a constant number of queries.""")

enterprise_bulk_actions = _signals.signal("enterprise-bulk-actions", doc="""
Sender: None. Receivers return a ``crm.contributions.BulkAction`` (or a list of them).""")

cohort_sections = _signals.signal("cohort-sections", doc="""
Sender: the Cohort or the ProgrammeSession whose page is shown (the viewer may see it); keyword
``user``. Receivers return a ``crm.contributions.Section`` or None, in a constant number of queries;
the page shows them after its own sections, by ``order``.""")

history_terms = _signals.signal("history-terms", doc="""
Sender: None. Receivers return a ``crm.contributions.HistoryTerms``: how the enterprise's
history names the entities, actions and fields of their feature.""")

contact_export_sections = _signals.signal("contact-export-sections", doc="""
Sender: the Contact exported (Law 25 access and portability). Receivers return
``(section name, a dict or a list of dicts of JSON-friendly values)``, in a constant number of
queries.""")

contact_anonymized = _signals.signal("contact-anonymized", doc="""
Sender: the Contact being anonymized (its own fields already erased, its id kept). Receivers erase
what identifies the person in their feature's rows, keep what statistics count, flush and never
commit, in a constant number of queries.""")

personal_information_accessed = _signals.signal("personal-information-accessed", doc="""
Sender: the user who viewed or exported personal information; keywords ``action`` (a code of
``crm.privacy.services.ACCESS_ACTIONS``), ``subject_type``, ``subject_id`` and, if any, ``details``
(ids and formats, never the information itself). The privacy feature adds it to the access log
(Law 25) in the request's transaction; receivers return nothing.""")

dashboard_activity = _signals.signal("dashboard-activity", doc="""
Sender: None. Receivers return a ``crm.contributions.ActivityQuery``: figures of the
dashboard's Activity section (coaching hours, sessions, attendance…).""")

dashboard_sections = _signals.signal("dashboard-sections", doc="""
Sender: None. Receivers return a ``crm.contributions.DashboardSection``: a section of the dashboard
and of the printable funder report (scored diagnostics, the outcome chain…) with figures of its own,
computed for a ``ReportScope`` in a constant number of queries and cached with the dashboard's.""")

report_indicators = _signals.signal("report-indicators", doc="""
Sender: None. Receivers return a ``crm.contributions.ReportIndicators``: figures of the ministry's
report pack (coaching hours, people, diagnostics, plans and projects, satisfaction…) with their
definitions, computed for a ``ReportScope`` in a constant number of queries and cached with the pack.""")

outboxes = _signals.signal("outboxes", doc="""
Sender: None; keywords ``me`` (the sender's name) and ``batch`` (rows to claim at a time, or None).
Each round of ``flask reminders send`` asks the features that keep an outbox of their own
(crm/outbox.py: event emails, webhook deliveries) to send its rows that are due; receivers commit
each outcome, as crm/outbox.py does, and return how many rows they sent.""")


def answers(signal: Signal, sender=None, **kwargs) -> list:
    """What the receivers returned, in the order they were connected; lists are flattened and
    ``None`` (nothing to contribute) left out."""
    collected = []
    for _receiver, value in signal.send(sender, **kwargs):
        if isinstance(value, list):
            collected.extend(value)
        elif value is not None:
            collected.append(value)
    return collected


# --- What happened: sent by the services that did it, after their flush ------------------------
# Receivers add rows to the same transaction (a webhook's outbox) and never commit: what the request
# rolls back, nobody is told.

enterprise_created = _signals.signal("enterprise-created", doc="""
Sender: the Enterprise just created (flushed, with its id); keyword ``actor``.""")

stage_changed = _signals.signal("stage-changed", doc="""
Sender: the Enterprise; keywords ``change`` (the StageChange, maybe not flushed yet) and ``actor``.""")

session_planned = _signals.signal("session-planned", doc="""
Sender: the ProgrammeSession just created (flushed); keyword ``actor``.""")

session_rescheduled = _signals.signal("session-rescheduled", doc="""
Sender: the ProgrammeSession with its new times; keywords ``old_starts_at``, ``old_ends_at``, ``actor``.""")

session_cancelled = _signals.signal("session-cancelled", doc="""
Sender: the ProgrammeSession just cancelled; keyword ``actor``.""")


registration_created = _signals.signal("registration-created", doc="""
Sender: the event Registration just recorded from the public form (flushed, with its id and
status: confirmed, waiting, or unconfirmed until the person confirms their address); keyword
``event`` (its Event). Not sent again when the same address registers again.""")

enterprises_imported = _signals.signal("enterprises-imported", doc="""
Sender: None; keywords ``organization_id``, ``enterprise_ids`` (a chunk of enterprises an import
just wrote in bulk, without loading them: what ``enterprise_created`` says of one) and ``actor``.
Receivers read what they need of those rows in a constant number of queries.""")
