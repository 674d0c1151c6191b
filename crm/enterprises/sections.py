"""Sections of the enterprise page contributed by other features (contacts, sessions, coaching hours…).

A feature answers ``signals.enterprise_sections`` (sender: the enterprise; keyword: ``user``) with a
``crm.contributions.Section``: its template and context, computed in a constant number of queries,
or None to show nothing to this user. Sections ordered below ``BESIDE_PROFILE`` come right after the
profile, the others after the page's own sections (stage, timeline, follow-ups, diagnostics).
"""
from crm import signals
from crm.contributions import BESIDE_PROFILE


def sections_for(enterprise, user) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
    """The sections shown after the profile, and those shown after the page's own sections:
    (template, context) pairs, by order."""
    sections = sorted(signals.answers(signals.enterprise_sections, enterprise, user=user),
                      key=lambda section: (section.order, section.template))
    return ([(s.template, s.context) for s in sections if s.order < BESIDE_PROFILE],
            [(s.template, s.context) for s in sections if s.order >= BESIDE_PROFILE])
