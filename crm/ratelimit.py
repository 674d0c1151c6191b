"""Where rate limits are counted: one namespace per deployment, and a safe way down when Redis fails.

- Namespace. Keys in the storage start with ``RATELIMIT_KEY_PREFIX``; by default ``virage-`` and a
  short hash of the database URL without its password, so two deployments sharing one Redis never
  add up each other's failures (user ids and emails repeat from one deployment to the next), while
  every worker of one deployment shares its counts. The prefix goes to the Redis storage
  (its ``key_prefix`` option, through ``RATELIMIT_STORAGE_OPTIONS``) rather than to Flask-Limiter's
  own ``key_prefix``: Flask-Limiter reads that one once per ``Limiter`` object, so in a process
  holding several apps the first app's prefix would silently serve them all.
- Failure. When the storage does not answer, Flask-Limiter counts in this process's memory
  (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``) and goes back to the storage once it answers again;
  an error it cannot absorb is logged, not turned into a 500 (``RATELIMIT_SWALLOW_ERRORS``). Sign-in
  keeps working, limited per process, and an ERROR is logged at most once a minute meanwhile;
  ``/health`` reports the storage (``storage_status``).
"""
import hashlib
import logging
import time
from urllib.parse import urlsplit

from flask import Flask, current_app
from limits.storage import storage_from_string
from sqlalchemy.engine import make_url

from crm.extensions import limiter

log = logging.getLogger(__name__)

ALARM_INTERVAL_SECONDS = 60
# A Redis that does not answer must not hold a sign-in for long (the client's default is no limit).
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}


def default_key_prefix(database_uri: str) -> str:
    """``virage-`` and 12 hex digits naming the database (its URL without the password)."""
    identity = make_url(database_uri).render_as_string(hide_password=True)  # the password as ***
    return "virage-" + hashlib.sha256(identity.encode()).hexdigest()[:12]


def uses_shared_storage(config) -> bool:
    return not str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://")


def configure(config) -> None:
    """Fill in the prefix and the storage options; call once the database URL is known."""
    if not config.get("RATELIMIT_KEY_PREFIX"):
        config["RATELIMIT_KEY_PREFIX"] = default_key_prefix(config["SQLALCHEMY_DATABASE_URI"])
    if str(config["RATELIMIT_STORAGE_URI"]).startswith("redis"):
        config["RATELIMIT_STORAGE_OPTIONS"] = {**REDIS_TIMEOUTS, **(config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
                                               "key_prefix": config["RATELIMIT_KEY_PREFIX"]}


def init_app(app: Flask) -> None:
    app.extensions["virage.ratelimit"] = {"next_alarm": 0.0, "probe": None}
    app.after_request(_alarm_when_degraded)


def redacted(uri: str) -> str:
    """The storage URI without its password, for logs."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    return uri.replace(f":{parts.password}@", ":***@", 1)


def storage_status(app: Flask) -> str | None:
    """``ok`` or ``error`` for a shared storage (Redis), ``None`` when counts stay in memory."""
    config = app.config
    if not uses_shared_storage(config):
        return None
    state = app.extensions["virage.ratelimit"]
    if state["probe"] is None:  # this app's own client: the limiter may serve another app in tests
        state["probe"] = storage_from_string(config["RATELIMIT_STORAGE_URI"],
                                             **(config.get("RATELIMIT_STORAGE_OPTIONS") or {}))
    return "ok" if state["probe"].check() else "error"


def _alarm_when_degraded(response):
    # Flask-Limiter's strategy then works on its in-memory fallback instead of the configured storage.
    if limiter.current_limits and limiter.limiter.storage is not limiter.storage:
        state = current_app.extensions["virage.ratelimit"]
        now = time.monotonic()
        if now >= state["next_alarm"]:
            state["next_alarm"] = now + ALARM_INTERVAL_SECONDS
            log.error("rate-limit storage %s does not answer: sign-in attempts are counted in this "
                      "process's memory only, until it answers again",
                      redacted(current_app.config["RATELIMIT_STORAGE_URI"]))
    return response
