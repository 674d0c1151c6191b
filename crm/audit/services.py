"""The one audit mechanism: every feature records its writes through ``record``."""
import logging
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from crm.audit.models import AuditEntry
from crm.extensions import db

log = logging.getLogger(__name__)


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def changed_fields(obj, fields) -> dict:
    """Old and new values of the given attributes modified on ``obj`` since it was loaded."""
    state = inspect(obj)
    changes = {}
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def snapshot(obj, fields) -> dict:
    """Values of a new record, as [None, value] pairs."""
    return {name: [None, _jsonable(getattr(obj, name))] for name in fields
            if getattr(obj, name) not in (None, "")}


def record(action: str, obj, *, actor, changes: dict | None = None, enterprise_id=None,
           context: dict | None = None) -> AuditEntry:
    """Add an audit entry for ``obj`` (flushed so it has an id; the caller commits)."""
    if obj.id is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=obj.__tablename__,
        entity_id=obj.id,
        enterprise_id=enterprise_id,
        changes=changes or {},
        context=context,
    )
    db.session.add(entry)
    log.debug("audit %s %s#%s by user %s", action, entry.entity_type, obj.id, entry.actor_id)
    return entry
