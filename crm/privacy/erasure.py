"""Erasure: each feature that keeps personal information about contacts erases its own.

``anonymize_contact`` erases the Contact and its audit history, then runs every feature's eraser::

    from crm.privacy.erasure import register_contact_eraser
    register_contact_eraser("reminders", erase_reminders)

An eraser takes the Contact being anonymized (its own fields already erased, its id kept) and
removes what identifies the person from its feature's rows, keeping the rows that statistics count
(states, dates). It flushes, never commits, and runs a constant number of queries.
"""
from collections.abc import Callable

ERASED = "[anonymized]"  # what replaces an erased value, in rows and in audit entries

_ERASERS: dict[str, Callable] = {}


def register_contact_eraser(name: str, fn: Callable) -> None:
    """Add (or replace, on reload) the eraser ``name``, run on every anonymization."""
    _ERASERS[name] = fn


def contact_erasers() -> list[str]:
    return list(_ERASERS)


def run_contact_erasers(contact) -> None:
    for fn in _ERASERS.values():
        fn(contact)
