"""The access log records views and exports of personal information; admins filter and page it."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm.contacts.models import Contact
from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from crm.privacy.services import record_access
from tests.privacy_helpers import contact_ids, count_queries, setup_people


@pytest.fixture
def world(app, client, auth, make):
    people, enterprise = setup_people(make)
    auth.sign_in(people["admin"])
    return people, contact_ids(app, enterprise)


def _add(app, user, action, subject_id, at):
    with app.app_context():
        entry = record_access(user, action, subject_type="contacts", subject_id=subject_id)
        entry.at = at
        db.session.commit()


def test_viewing_a_contact_is_recorded(app, client, world):
    people, ids = world
    client.get(f"/privacy/admin/contacts/{ids[0]}")
    with app.app_context():
        entry = db.session.scalars(select(AccessLogEntry)).one()
        assert (entry.user_id, entry.action, entry.subject_type, entry.subject_id) == (
            people["admin"].id, "view_contact", "contacts", ids[0])
    page = client.get("/privacy/admin/access-log").get_data(as_text=True)
    assert "A consulté une personne-ressource" in page and f"Personne-ressource no {ids[0]}" in page
    assert people["admin"].full_name in page


def test_viewing_an_enterprise_is_recorded(app, client, world):
    """The enterprise page shows its contacts: the enterprises feature reports the view, privacy logs it."""
    people, ids = world
    with app.app_context():
        enterprise_id = db.session.get(Contact, ids[0]).enterprise_id
    assert client.get(f"/enterprises/{enterprise_id}").status_code == 200
    with app.app_context():
        entry = db.session.scalars(select(AccessLogEntry)).one()
        assert (entry.user_id, entry.action, entry.subject_type, entry.subject_id) == (
            people["admin"].id, "view_enterprise", "enterprises", enterprise_id)


def test_filters_by_person_action_and_dates(app, client, world):
    people, ids = world
    _add(app, people["manager"], "view_contact", ids[0], datetime(2026, 3, 2, 15, tzinfo=UTC))
    _add(app, people["coach"], "export_contact", ids[1], datetime(2026, 3, 10, 15, tzinfo=UTC))
    _add(app, people["coach"], "view_contact", ids[1], datetime(2026, 4, 1, 3, tzinfo=UTC))  # 31 March in Québec

    def shown(query):
        response = client.get(f"/privacy/admin/access-log?{query}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        rows = page.split("<tbody>")[1] if "<tbody>" in page else ""
        return {name for name in (people["manager"].full_name, people["coach"].full_name)
                if f"<td>{name}</td>" in rows}, page

    names, page = shown(f"user={people['manager'].id}")
    assert names == {people["manager"].full_name}
    names, page = shown("action=export_contact")
    assert "A exporté les renseignements" in page and "A consulté une personne-ressource</td>" not in page
    _, page = shown("start=2026-03-05&end=2026-03-31")
    assert "2 entrées" in page  # 10 March, and 1 April 03:00 UTC, still 31 March in Québec
    _, page = shown("start=2026-03-05&end=2026-03-30")
    assert "1 entrée" in page
    names, page = shown(f"user={people['coach'].id}&action=view_contact&start=2026-03-31&end=2026-03-31")
    assert "1 entrée" in page and names == {people["coach"].full_name}


@pytest.mark.parametrize("query", ["start=2026-13-45", "start=2026-03-10&end=2026-03-01", "user=abc",
                                   "user=999999", "action=steal", "page=abc", "page=-3", "page=999"])
def test_bad_filters_get_a_clear_answer_never_a_500(app, client, world, query):
    people, ids = world
    _add(app, people["manager"], "view_contact", ids[0], datetime(2026, 3, 2, 15, tzinfo=UTC))
    response = client.get(f"/privacy/admin/access-log?{query}")
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    if query.startswith("start=2026-13"):
        assert response.status_code == 400 and 'class="error"' in page
    if "end=2026-03-01" in query:
        assert "La date de fin précède la date de début." in page


def test_pages_of_fifty_with_a_constant_number_of_queries(app, client, world):
    people, ids = world

    def fill(n):
        with app.app_context():
            for i in range(n):
                record_access(people["coach"], "view_contact", subject_type="contacts", subject_id=ids[i % 2])
            db.session.commit()

    fill(3)
    with count_queries(app) as small:
        assert client.get("/privacy/admin/access-log").status_code == 200
    fill(117)
    with count_queries(app) as large:
        page = client.get("/privacy/admin/access-log").get_data(as_text=True)
    assert large() == small()
    assert "120 entrées" in page and page.count("<tr>") == 51
    assert 'aria-label="Page 1" aria-current="page"' in page and 'aria-label="Page 3"' in page
    assert 'aria-label="Page 4"' not in page
    last = client.get(f"/privacy/admin/access-log?page=3&user={people['coach'].id}").get_data(as_text=True)
    assert 'aria-label="Page 3" aria-current="page"' in last and "Page suivante" not in last
    assert last.count("<tr>") == 21
    assert f"user={people['coach'].id}" in last  # the previous-page link keeps the filter
