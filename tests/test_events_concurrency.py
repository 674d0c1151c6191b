"""Registrations sent at the same instant never give more seats than the capacity, and each person
gets one email: the seats are counted under a lock of the event's row (crm/events/registration.py)."""
import re
import threading
from collections import Counter

import pytest

from crm import create_app
from crm.extensions import db
from tests.conftest import BASE_CONFIG
from tests.events_helpers import PERSON, make_event, send_outbox, statuses

_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]*)"')


def register_at_once(database_uri, event_id, count) -> list[int]:
    """``count`` people fill the form, then all send it at the same instant; returns the statuses."""
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": count, "max_overflow": 5, "pool_timeout": 60},
                      "EVENTS_LIMIT_PER_ADDRESS": "10000 per hour", "EVENTS_LIMIT_PER_EVENT": "10000 per hour"})
    barrier = threading.Barrier(count)
    answers, errors = {}, []

    def person(number):
        try:
            client = app.test_client()
            page = client.get(f"/events/{event_id}/register").get_data(as_text=True)
            data = {**PERSON, "email": f"personne{number}@coop.example", "first_name": f"Personne{number}",
                    "enterprise_name": f"Coop {number}", "form_token": _FORM_TOKEN.search(page).group(1)}
            barrier.wait()
            answers[number] = client.post(f"/events/{event_id}/register", data=data).status_code
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=person, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    with app.app_context():
        db.engine.dispose()
    assert not errors, errors
    return sorted(answers.values())


def _check(app, event_id, smtp_server, *, people, seats):
    counts = Counter(statuses(app, event_id))
    assert counts == {"confirmed": seats, "waiting": people - seats}, counts
    assert send_outbox(app) == people
    per_person = Counter(message["To"] for message in smtp_server.messages)
    assert len(per_person) == people and set(per_person.values()) == {1}
    subjects = Counter(message["Subject"].split(" :")[0] for message in smtp_server.messages)
    assert subjects == {"Inscription confirmée": seats, "Liste d'attente": people - seats}, subjects


@pytest.mark.postgres_only
def test_50_registrations_at_the_same_instant_for_20_seats(app, make, database_uri, smtp_server):
    event_id = make_event(app, make.organization(), capacity=20)
    assert register_at_once(database_uri, event_id, 50) == [302] * 50
    _check(app, event_id, smtp_server, people=50, seats=20)


def test_registrations_at_the_same_instant_on_either_database(app, make, database_uri, smtp_server):
    event_id = make_event(app, make.organization(), capacity=4)
    assert register_at_once(database_uri, event_id, 10) == [302] * 10
    _check(app, event_id, smtp_server, people=10, seats=4)
