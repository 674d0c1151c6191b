"""Shared set-up of the events tests: an event of an organization, the public form filled as a
person would, the events' outbox sent to a test SMTP server."""
import re
from datetime import timedelta

from sqlalchemy import select

from crm.cohorts import timeutil
from crm.events import services
from crm.events.models import Event, Registration
from crm.extensions import db

_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]*)"')


def make_event(app, organization, *, capacity=20, starts_in=timedelta(days=30), publish=True, actor=None,
               **overrides) -> int:
    starts = timeutil.now().replace(microsecond=0) + starts_in
    values = {"title": "Midi numérique : l'infonuagique", "kind": "webinar", "organization_id": organization.id,
              "mode": "virtual", "meeting_url": "https://zoom.example/j/123", "capacity": capacity,
              "languages": "fr", "description": "Une heure pour comprendre l'infonuagique."}
    values.update(overrides)
    with app.app_context():
        event = services.create_event(actor=actor, starts_at=starts, ends_at=starts + timedelta(hours=1), **values)
        if publish:
            services.publish_event(event, actor=actor)
        db.session.commit()
        return event.id


PERSON = {"first_name": "Léa", "last_name": "Tremblay", "email": "lea@coop.example", "role": "Directrice",
          "enterprise_name": "Coopérative du Marais", "neq": "", "city": "Sherbrooke", "region_code": "05",
          "legal_form": "coop_work", "consent_reminders": "y", "consent_follow_up": "y"}


def register(client, event_id, *, lang=None, embed=False, **fields):
    """The public form, as a browser sends it: first the page (its form token), then the answers."""
    query = "&".join(part for part in (f"lang={lang}" if lang else "", "embed=1" if embed else "") if part)
    query = f"?{query}" if query else ""
    page = client.get(f"/events/{event_id}/register{query}")
    match = _FORM_TOKEN.search(page.get_data(as_text=True))
    data = {**PERSON, **fields, "form_token": match.group(1) if match else ""}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/events/{event_id}/register{query}", data=data)


def registrations(app, event_id) -> list[Registration]:
    with app.app_context():
        rows = db.session.scalars(select(Registration).where(Registration.event_id == event_id)
                                  .order_by(Registration.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def statuses(app, event_id) -> list[str]:
    return [row.status for row in registrations(app, event_id)]


def send_outbox(app) -> int:
    from crm.events import emails

    with app.app_context():
        sent = emails.send_due(me="test-sender")
        db.session.remove()
        return sent


def event(app, event_id) -> Event:
    with app.app_context():
        row = db.session.get(Event, event_id)
        db.session.expunge(row)
        return row
