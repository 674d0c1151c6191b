"""Extra sections of the enterprise page, contributed by other features (sessions, coaching hours…).

    register_enterprise_section("cohorts/_enterprise_sessions.html", load_sessions, order=60)

``load(enterprise, user) -> dict | None`` runs a fixed number of queries and returns the
partial's context, or None to hide the section from this user.
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    load: Callable
    order: int


_SECTIONS: list[Section] = []


def register_enterprise_section(template: str, load: Callable, *, order: int = 50) -> None:
    if any(s.template == template for s in _SECTIONS):
        return
    _SECTIONS.append(Section(template, load, order))
    _SECTIONS.sort(key=lambda s: s.order)


def sections_for(enterprise, user) -> list[tuple[str, dict]]:
    shown = []
    for section in _SECTIONS:
        context = section.load(enterprise, user)
        if context is not None:
            shown.append((section.template, context))
    return shown
