"""Sections of the enterprise page contributed by other features (contacts, sessions, coaching hours…).

A feature answers ``signals.enterprise_sections`` (sender: the enterprise; keyword: ``user``) with a
``crm.contributions.Section``: its template and context, computed in a constant number of queries,
or None to show nothing to this user. Sections ordered below ``BESIDE_PROFILE`` come beside the
profile (the record's side column), the others after the page's own sections (timeline,
follow-ups, diagnostics). A section may name its anchor for the page's local navigation and add
facts to the summary at the top of the page.
"""
from typing import NamedTuple

from crm import signals
from crm.contributions import BESIDE_PROFILE, SummaryItem


class PageSections(NamedTuple):
    beside_profile: list[tuple[str, dict]]  # (template, context) pairs, by order
    after: list[tuple[str, dict]]
    nav: list[tuple[str, object]]  # (anchor, label) of the sections after the page's own
    summary: list[SummaryItem]


def sections_for(enterprise, user) -> PageSections:
    sections = sorted(signals.answers(signals.enterprise_sections, enterprise, user=user),
                      key=lambda section: (section.order, section.template))
    after = [s for s in sections if s.order >= BESIDE_PROFILE]
    return PageSections(
        beside_profile=[(s.template, s.context) for s in sections if s.order < BESIDE_PROFILE],
        after=[(s.template, s.context) for s in after],
        nav=[(s.anchor, s.label) for s in after if s.anchor],
        summary=[item for s in sections for item in s.summary],
    )
