"""Private calendar feeds: one secret token per user, stored as a SHA-256 hash, revocable."""
import hashlib
import logging
import secrets

from sqlalchemy import select

from crm.cohorts import timeutil
from crm.cohorts.models import CalendarFeed
from crm.extensions import db

log = logging.getLogger(__name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                        CalendarFeed.revoked_at.is_(None)))


def revoke_feed(user, *, actor) -> bool:
    feed = active_feed(user)
    if feed is None:
        return False
    feed.revoked_at = timeutil.now()
    log.info("calendar feed %s of user %s revoked by user %s", feed.id, user.id, getattr(actor, "id", None))
    return True


def regenerate_feed(user, *, actor) -> str:
    """Revoke the current feed (if any) and return a new token; it is shown once, never stored."""
    revoke_feed(user, actor=actor)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_hash(token))
    db.session.add(feed)
    db.session.flush()
    log.info("calendar feed %s created for user %s", feed.id, user.id)
    return token


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or feed.revoked_at is not None or not feed.user.is_active:
        return None
    return feed
