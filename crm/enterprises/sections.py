"""Sections of the enterprise page contributed by other features (sessions, coaching hours…).

A feature answers ``signals.enterprise_sections`` (sender: the enterprise; keyword: ``user``) with a
``crm.contributions.Section``: its template and context, computed in a constant number of queries,
or None to show nothing to this user.
"""
from crm import signals


def sections_for(enterprise, user) -> list[tuple[str, dict]]:
    sections = sorted(signals.answers(signals.enterprise_sections, enterprise, user=user),
                      key=lambda section: (section.order, section.template))
    return [(section.template, section.context) for section in sections]
