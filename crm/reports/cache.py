"""Figures and files the reports reuse while nothing they cover has changed (Flask-Caching).

The dashboard aggregates the whole stage history, timeline and attendance of its scope, the
enterprise list counts its matches, an export writes out every enterprise of its scope: the same
answer for everyone who sees that scope until someone changes something in it. Such a result is
kept in the cache (``CACHE_TYPE``: Redis, or files in the instance folder by default) under a key
made of what it is (the scope and the filters) and of the versions of the organizations it covers
(crm.reports.versions), read from the database on each view. So:

- a write shows on the next view of every page that covers its organization, on every worker and
  host, whatever the cache: its transaction bumps the version, which changes the key; the other
  organizations' results are kept;
- a result lives at most ``REPORT_CACHE_SECONDS`` (0 turns caching off), for what changes with the
  clock alone (a session becomes "held" once it has started), then the cache drops it;
- a cache that fails (Redis down) costs speed, never the page: the result is computed again, and
  a warning is logged at most once a minute per process.
"""
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from crm.extensions import cache
from crm.reports.versions import versions

log = logging.getLogger(__name__)
WARNING_INTERVAL_SECONDS = 60  # while the cache fails, each process says so at most this often
_next_warning = 0.0


def _warn_unreachable(what: str) -> None:
    global _next_warning
    now = time.monotonic()
    if now >= _next_warning:
        _next_warning = now + WARNING_INTERVAL_SECONDS
        log.warning("report cache unreachable: %s", what, exc_info=True)


@dataclass(frozen=True)
class Key:
    """What a cached result is, and the organization it covers (None: every organization)."""

    parts: tuple
    organization_id: int | None


def cache_key(*parts, organization_id: int | None) -> Key:
    return Key(parts, organization_id)


def max_age() -> int:
    return current_app.config.get("REPORT_CACHE_SECONDS", 300)


@dataclass(frozen=True)
class Entry:
    """Where a result goes in the cache at the versions of now; ``name`` is None when caching is off."""

    name: str | None

    def get(self):
        if self.name is None:
            return None
        try:
            return cache.get(self.name)
        except Exception:  # noqa: BLE001 - whatever the backend raises (Redis unreachable…), compute instead
            _warn_unreachable("figures and files computed afresh")
            return None

    def put(self, value) -> None:
        if self.name is None:
            return
        try:
            cache.set(self.name, value, timeout=max_age())
        except Exception:  # noqa: BLE001 - as in get: a result not kept costs only speed
            _warn_unreachable("result not kept")


def entry(key: Key) -> Entry:
    """The cache entry of ``key`` at the versions of now (one query)."""
    if not max_age():
        return Entry(None)
    identity = [current_app.config["CACHE_KEY_PREFIX"], key.parts, versions(key.organization_id)]
    return Entry("report-" + hashlib.sha256(json.dumps(identity, default=str, sort_keys=True).encode()).hexdigest())


def cached_or_computed(key: Key, compute: Callable[[], object]):
    """The cached result of ``key`` if still current, else ``compute()``, cached."""
    found = entry(key)
    value = found.get()
    if value is None:
        value = compute()
        found.put(value)
    return value
