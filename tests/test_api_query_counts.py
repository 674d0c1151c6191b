"""The API's new lists send as many SQL reads for three rows as for one: nothing is loaded row by
row (cohorts with their member counts, memberships, sessions, follow-ups, an attendance sheet with
its contacts, an event's registrations with their enterprises)."""
from datetime import date, timedelta

from crm.db import utcnow
from tests.api_helpers import bearer, personal_token
from tests.cohorts_helpers import count_queries, make_cohort, make_session
from tests.events_helpers import make_event, register


def _grow(app, make, client, organization, coach, event_id, cohort, n):
    for index in range(n):
        enterprise = make.enterprise(organization, coach=coach, contacts=2, name=f"Coop {n}-{index}")
        make_cohort(app, organization, name=f"Cohorte {n}-{index}", enterprises=[enterprise])
        make_session(app, cohort_id=cohort, day=date(2027, 10, 1 + index), facilitator=coach)
        register(client, event_id, email=f"p{n}-{index}@coop.example", first_name=f"P{index}",
                 enterprise_name=f"Inscrite {n}-{index}", neq=None)
        yield enterprise


def _counts(app, client, headers, urls) -> dict:
    counts = {}
    for url in urls:
        assert client.get(url, headers=headers).status_code == 200  # the token's last use noted
        with count_queries(app) as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.json)
        # Reads only: the access log gets one row per contact shown (Law 25), written in the commit.
        counts[url] = sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))
    return counts


def test_the_new_lists_send_a_fixed_number_of_queries(app, client, make):
    organization = make.organization()
    manager, coach = make.user("manager", organization), make.user("coach", organization)
    today = utcnow().date()
    cohort = make_cohort(app, organization, facilitators=[coach], start=date(2027, 9, 1), end=date(2027, 12, 20))
    event_id = make_event(app, organization, capacity=50)
    first = list(_grow(app, make, client, organization, coach, event_id, cohort, 1))
    held = make_cohort(app, organization, facilitators=[coach], enterprises=first, name="En cours",
                       start=today - timedelta(days=10), end=today + timedelta(days=10))
    # In two days: the enterprises enrolled today are expected there.
    upcoming = make_session(app, cohort_id=held, day=today + timedelta(days=2), facilitator=coach)
    headers = bearer(personal_token(app, manager))
    urls = ["/api/v1/cohorts", f"/api/v1/cohorts/{held}/memberships", "/api/v1/sessions",
            f"/api/v1/enterprises/{first[0].id}/follow-ups", f"/api/v1/sessions/{upcoming}/attendance",
            f"/api/v1/events/{event_id}/registrations"]
    before = _counts(app, client, headers, urls)
    more = list(_grow(app, make, client, organization, coach, event_id, cohort, 3))
    enrolled = client.post(f"/api/v1/cohorts/{held}/memberships", headers=headers,
                           json={"enterprise_ids": [e.id for e in more]})
    assert enrolled.status_code == 201
    for _ in range(3):
        client.post(f"/api/v1/enterprises/{first[0].id}/follow-ups", headers=headers,
                    json={"title": "Relancer", "due_on": "2030-01-05"})
    after = _counts(app, client, headers, urls)
    assert after == before
