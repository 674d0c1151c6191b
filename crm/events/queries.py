"""Reads of events and registrations, as select() statements or small aggregates."""
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select

from crm.access import public_events
from crm.events.models import Event, Registration
from crm.extensions import db
from crm.organizations.models import Organization
from crm.text import fold


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.status != "waiting":
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == "waiting",
        or_(Registration.waiting_since < registration.waiting_since,
            and_(Registration.waiting_since == registration.waiting_since, Registration.id < registration.id))))
    return (ahead or 0) + 1


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waiting: int = 0
    unconfirmed: int = 0
    cancelled: int = 0
    attended: int = 0
    to_confirm: int = 0


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counts_columns():
    return (
        _count_if(Registration.status == "confirmed"), _count_if(Registration.status == "waiting"),
        _count_if(Registration.status == "unconfirmed"), _count_if(Registration.status == "cancelled"),
        _count_if(Registration.attended_at.is_not(None)), _count_if(Registration.match_status == "to_confirm"),
    )


def counts(event_id: int) -> Counts:
    row = db.session.execute(select(*_counts_columns()).where(Registration.event_id == event_id)).one()
    return Counts(*(int(v or 0) for v in row))


def counts_by_event(event_ids) -> dict[int, Counts]:
    if not event_ids:
        return {}
    rows = db.session.execute(select(Registration.event_id, *_counts_columns())
                              .where(Registration.event_id.in_(event_ids)).group_by(Registration.event_id))
    return {row[0]: Counts(*(int(v or 0) for v in row[1:])) for row in rows}


def seats_taken_by_event(event_ids) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = db.session.execute(select(Registration.event_id, func.count()).where(
        Registration.event_id.in_(event_ids), Registration.status == "confirmed").group_by(Registration.event_id))
    return dict(rows.all())


def upcoming_public_events(now, *, region: str | None = None, kind: str | None = None,
                           organization_code: str | None = None) -> Select:
    """Published events that have not ended, soonest first."""
    query = public_events().where(Event.ends_at > now)
    if region:
        # An event of the whole province is shown in every region.
        query = query.where(or_(Event.region_code == region, Event.region_code.is_(None)))
    if kind:
        query = query.where(Event.kind == kind)
    if organization_code:
        query = query.join(Organization, Organization.id == Event.organization_id).where(
            Organization.code == organization_code)
    return query.order_by(Event.starts_at, Event.id)


def registrations(event_id: int, *, status: str | None = None, match: str | None = None,
                  attended: str | None = None, search: str | None = None) -> Select:
    query = select(Registration).where(Registration.event_id == event_id)
    if status:
        query = query.where(Registration.status == status)
    if match:
        query = query.where(Registration.match_status == match)
    if attended == "yes":
        query = query.where(Registration.attended_at.is_not(None))
    elif attended == "no":
        query = query.where(Registration.attended_at.is_(None))
    words = fold(search).split() if search else []
    for word in words[:5]:
        query = query.where(Registration.search_text.like(f"%{word}%"))
    return query.order_by(Registration.last_name, Registration.first_name, Registration.id)
