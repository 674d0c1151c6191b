"""An event's registrations through the API, read-only: the registrations list's filters and rule
(the event's organization's managers and coaches). Each read is written to the access log (Law 25),
naming the token."""
from spectree import Response
from sqlalchemy import tuple_

from crm import access, signals
from crm.api import auth, bp, cursors
from crm.api.schemas import Problem
from crm.api.schemas_events import Registration, RegistrationListQuery, RegistrationPage
from crm.api.spec import guarded_by, spec
from crm.events import queries
from crm.events.models import Registration as RegistrationRow
from crm.extensions import db

TAG = "Events"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}


def _visible(event_id: int):
    return access.get_event_or_404(event_id, auth.principal())


@bp.get("/events/<int:event_id>/registrations")
@spec.validate(query=RegistrationListQuery, resp=Response(HTTP_200=RegistrationPage, **ERRORS), tags=[TAG],
               validation_error_status=400)
@guarded_by(_visible)
def list_registrations(event_id: int, query: RegistrationListQuery):
    """An event's registrations

    By name, by pages (``next_cursor``), with the list page's filters. The enterprise a
    registration was matched to is given only when the token's owner sees it. Each call is written
    to the access log.
    """
    user = auth.principal()
    event = _visible(event_id)
    statement = queries.registrations(event.id, status=query.status, match=query.match, attended=query.attended,
                                      search=query.q.strip() or None)
    if query.cursor:
        last_name, first_name, last_id = cursors.decode(query.cursor, str, str, int)
        statement = statement.where(tuple_(RegistrationRow.last_name, RegistrationRow.first_name, RegistrationRow.id)
                                    > (last_name, first_name, last_id))
    rows = db.session.scalars(statement.limit(query.limit + 1)).all()
    more, rows = len(rows) > query.limit, rows[:query.limit]
    visible = access.viewable_enterprise_ids(user, [row.enterprise_id for row in rows])
    items = []
    for row in rows:
        item = Registration.model_validate(row)
        if row.enterprise_id not in visible:
            item.enterprise_id = None
        items.append(item)
    signals.personal_information_accessed.send(
        auth.actor(), action="view_event_registrations", subject_type="events", subject_id=event.id,
        details={"via": "api", "count": len(items), **auth.audit_context()})
    return RegistrationPage(items=items, next_cursor=cursors.encode(rows[-1].last_name, rows[-1].first_name,
                                                                    rows[-1].id) if more else None)
