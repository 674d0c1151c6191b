"""Configuration: defaults here, then ``instance/config.py``, then the environment."""
import os
from datetime import date

from crm.domain import QUEBEC

DEFAULT_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - refused in production below


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    # Fernet keys sealing the TOTP secrets, comma-separated, the first one sealing (crm.auth.sealed);
    # empty: one key derived from SECRET_KEY. New key: python -c 'from cryptography.fernet import
    # Fernet; print(Fernet.generate_key().decode())'.
    SECRET_BOX_KEYS = ""
    SQLALCHEMY_DATABASE_URI = None  # filled in from the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = QUEBEC.key
    LANGUAGES = ("fr", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # forced on when ENV_NAME is production
    REMEMBER_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # seconds without activity before signing in again
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600  # "keep me signed in"
    # Rate limits (Flask-Limiter). memory:// counts per process: with several gunicorn workers
    # use redis://127.0.0.1:6379 so that they share the counts.
    RATELIMIT_STORAGE_URI = "memory://"
    # Keys in the storage start with this; empty: "virage-" and a hash of the database URL (without
    # its password), so deployments sharing a Redis keep apart (crm/ratelimit.py).
    RATELIMIT_KEY_PREFIX = ""
    # Redis down: count in each process's memory until it answers, never a 500 (crm/ratelimit.py).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"  # failed sign-ins for one email
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"  # failed sign-ins from one IP address
    TWO_FACTOR_LIMIT = "5 per 15 minutes"  # wrong codes for one account
    PASSWORD_RESET_LIMIT = "5 per hour"  # noqa: S105 - requests per address and per email
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    # Calls to the API per token (or, without one, per address), shared by every route of the API.
    API_RATE_LIMIT = "300 per minute"
    # Webhooks: private or loopback hosts (names or addresses) Virage may post to, plain HTTP included
    # (comma-separated in the environment); the endpoint's time to answer; retries with backoff.
    WEBHOOK_ALLOWED_PRIVATE_HOSTS: tuple = ()
    WEBHOOK_TIMEOUT_SECONDS = 10
    WEBHOOK_MAX_ATTEMPTS = 6
    WEBHOOK_RETRY_BASE_SECONDS = 60
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-For/-Proto to trust
    # Strict-Transport-Security's max-age, in seconds: None is a year (31536000) when ENV_NAME is
    # production and off elsewhere; 0 never sends it (when the TLS proxy sends its own).
    HSTS_SECONDS = None
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Imports (crm/imports): a bigger file gets a clear message rather than Flask's 413.
    IMPORT_MAX_BYTES = 10 * 1000 * 1000
    IMPORT_MAX_ROWS = 20_000
    # A hostile file is refused before it costs a worker: columns of a row, cells read (empty ones
    # too, rows × columns), and the size of an .xlsx workbook once uncompressed (checked first).
    IMPORT_MAX_COLUMNS = 200
    IMPORT_MAX_CELLS = 1_000_000
    IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * 1000 * 1000
    PROGRAMME_TARGET = 1120
    # The first day of the programme (an ISO date), for the report pack's "since the start of the
    # programme"; empty: the day of the earliest stage change.
    PROGRAMME_START = None
    # Dashboard figures, list counts and large exports are cached until what they cover changes,
    # at most this long (0: never). See crm/reports/cache.py.
    REPORT_CACHE_SECONDS = 300
    # Enterprise exports of this many rows are cached and sent again until what they show changes.
    EXPORT_STORE_MIN_ROWS = 100
    EXPORT_STORE_MAX_ROWS = 50_000  # about 12 MB of CSV, made in memory before it is cached
    # Where those are cached (Flask-Caching): files in instance/cache by default (one host's
    # workers share them); with several hosts, CACHE_TYPE = "RedisCache" and CACHE_REDIS_URL
    # (e.g. redis://127.0.0.1:6379/1). Keys start with CACHE_KEY_PREFIX; empty: "virage-" and a
    # hash of the database URL, as for the rate limits.
    CACHE_TYPE = "FileSystemCache"
    CACHE_DIR = None  # empty: instance/cache
    CACHE_REDIS_URL = None
    CACHE_KEY_PREFIX = ""
    CACHE_THRESHOLD = 500  # entries kept at most by the file and memory caches
    PROGRAMME_POPULATION = 11200
    # Dimensions a digital diagnostic is scored on, 1 to 5 (codes of crm.reference.DIAGNOSTIC_DIMENSIONS;
    # another code needs its labels: DIAGNOSTIC_DIMENSION_LABELS = {"code": {"fr": "…", "en": "…"}}).
    DIAGNOSTIC_DIMENSIONS = ("strategy", "operations", "sales_marketing", "data", "cybersecurity", "skills")
    DIAGNOSTIC_DIMENSION_LABELS: dict = {}
    # A person's name and title, set by each deployment; until then the role is shown, translated.
    PRIVACY_OFFICER_NAME = None
    PRIVACY_OFFICER_TITLE = None
    PRIVACY_OFFICER_EMAIL = "vie-privee@virage.example"
    # Law 25: contacts of an enterprise archived this long ago are anonymized by `flask crm retention`.
    RETENTION_ARCHIVED_DAYS = 730
    # Public events (crm/events): the partner sites allowed to show the public pages in a frame,
    # as origins separated by spaces or commas ("https://pole.example https://www.cdrq.example").
    EVENTS_FRAME_ANCESTORS = ""
    # Registrations sent from one IP address, for one email address, to one event.
    EVENTS_LIMIT_PER_ADDRESS = "30 per hour"
    EVENTS_LIMIT_PER_EMAIL = "5 per hour"
    EVENTS_LIMIT_PER_EVENT = "600 per hour"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Virage <no-reply@virage.example>"
    MAIL_TIMEOUT = 10
    ENV_NAME = "development"
    QUERY_COUNT_HEADER = False  # X-Query-Count on every response (benchmarks)
    BENCHMARK_ENDPOINTS = False  # /bench/floor (benchmarks only)
    # Address of the site as people reach it: links in emails sent from the command line.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Reminders: minutes before a session (7 days, 1 day), retries, claims, batches.
    REMINDER_OFFSETS_MINUTES = (7 * 24 * 60, 24 * 60)
    REMINDER_MAX_ATTEMPTS = 5
    REMINDER_RETRY_BASE_SECONDS = 60
    REMINDER_CLAIM_TIMEOUT_SECONDS = 600
    REMINDER_BATCH_SIZE = 50
    # A referral nobody answered (the contact, or the receiving organization) expires after this many days.
    REFERRAL_EXPIRY_DAYS = 30
    # Satisfaction surveys (crm/surveys): when a cohort's participants are surveyed, unless the cohort
    # chose otherwise (session: after each session whose attendance was taken; cohort_end: once, the
    # day after the cohort's end date; none); individual coaching sessions too, or not; how many days
    # after a session (or a cohort's end) a survey is still sent (older ones never are: no survey of a
    # session of last year); how long the link takes answers; below how many answers a group's results
    # are hidden (re-identification).
    SURVEY_TIMING = "session"
    SURVEY_INDIVIDUAL_SESSIONS = False
    SURVEY_SEND_WITHIN_DAYS = 7
    SURVEY_OPEN_DAYS = 30
    SURVEY_MIN_ANSWERS = 5


# Environment variables read at start-up, with how to parse them.
_ENV_PARSERS = {
    "SECRET_KEY": str,
    "SECRET_BOX_KEYS": str,
    "DATABASE_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "MAIL_USE_SSL": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_TIMEOUT": int,
    "PROGRAMME_TARGET": int,
    "PROGRAMME_START": date.fromisoformat,
    "REPORT_CACHE_SECONDS": int,
    "EXPORT_STORE_MIN_ROWS": int,
    "EXPORT_STORE_MAX_ROWS": int,
    "CACHE_TYPE": str,
    "CACHE_DIR": str,
    "CACHE_REDIS_URL": str,
    "CACHE_KEY_PREFIX": str,
    "IMPORT_MAX_BYTES": int,
    "IMPORT_MAX_ROWS": int,
    "IMPORT_MAX_COLUMNS": int,
    "IMPORT_MAX_CELLS": int,
    "IMPORT_MAX_UNCOMPRESSED_BYTES": int,
    "PRIVACY_OFFICER_NAME": str,
    "PRIVACY_OFFICER_TITLE": str,
    "PRIVACY_OFFICER_EMAIL": str,
    "RETENTION_ARCHIVED_DAYS": int,
    "ENV_NAME": str,
    "QUERY_COUNT_HEADER": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "BENCHMARK_ENDPOINTS": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "PUBLIC_BASE_URL": str,
    "REMINDER_OFFSETS_MINUTES": lambda v: tuple(int(p) for p in v.replace(";", ",").split(",") if p.strip()),
    "REMINDER_MAX_ATTEMPTS": int,
    "REMINDER_RETRY_BASE_SECONDS": int,
    "REMINDER_CLAIM_TIMEOUT_SECONDS": int,
    "REMINDER_BATCH_SIZE": int,
    "REFERRAL_EXPIRY_DAYS": int,
    "SURVEY_TIMING": str,
    "SURVEY_INDIVIDUAL_SESSIONS": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "SURVEY_SEND_WITHIN_DAYS": int,
    "SURVEY_OPEN_DAYS": int,
    "SURVEY_MIN_ANSWERS": int,
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in {"1", "true", "yes", "on"},
    "PERMANENT_SESSION_LIFETIME": int,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_KEY_PREFIX": str,
    "LOGIN_LIMIT_PER_ACCOUNT": str,
    "LOGIN_LIMIT_PER_ADDRESS": str,
    "API_RATE_LIMIT": str,
    "DIAGNOSTIC_DIMENSIONS": lambda v: tuple(p.strip() for p in v.replace(";", ",").split(",") if p.strip()),
    "WEBHOOK_ALLOWED_PRIVATE_HOSTS": lambda v: tuple(p.strip() for p in v.split(",") if p.strip()),
    "WEBHOOK_TIMEOUT_SECONDS": int,
    "WEBHOOK_MAX_ATTEMPTS": int,
    "WEBHOOK_RETRY_BASE_SECONDS": int,
    "TRUSTED_PROXIES": int,
    "HSTS_SECONDS": int,
    "EVENTS_FRAME_ANCESTORS": str,
    "EVENTS_LIMIT_PER_ADDRESS": str,
    "EVENTS_LIMIT_PER_EMAIL": str,
    "EVENTS_LIMIT_PER_EVENT": str,
}


def load_environment(config: dict, environ=os.environ) -> None:
    """Override configuration with ``VIRAGE_*`` or bare environment variables."""
    for key, parse in _ENV_PARSERS.items():
        raw = environ.get(f"VIRAGE_{key}", environ.get(key))
        if raw is None or raw == "":
            continue
        if key == "DATABASE_URL":
            config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(raw)
        else:
            config[key] = parse(raw)


def normalize_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class ConfigurationError(RuntimeError):
    pass


def apply_security_defaults(config: dict) -> None:
    """Cookies only over HTTPS in production, or wherever SESSION_COOKIE_SECURE is set; HSTS in
    production unless HSTS_SECONDS says otherwise."""
    production = config.get("ENV_NAME") == "production"
    if config.get("HSTS_SECONDS") is None:
        config["HSTS_SECONDS"] = 365 * 24 * 3600 if production else 0
    if production:
        config["SESSION_COOKIE_SECURE"] = True
    if config.get("SESSION_COOKIE_SECURE"):
        config["REMEMBER_COOKIE_SECURE"] = True


def check_production_ready(config: dict) -> None:
    if config.get("ENV_NAME") == "production" and config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise ConfigurationError(
            "Refusing to start in production with the default SECRET_KEY: set the SECRET_KEY "
            "environment variable (or instance/config.py) to a long random value, e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'."
        )
