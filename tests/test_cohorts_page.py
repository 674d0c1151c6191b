"""What the cohort page shows a manager and a coach: members with their current contacts and
attendance, former members, facilitators, sessions, and the forms to remove or add an enterprise."""
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from crm.cohorts import queries, services
from crm.cohorts.models import CohortMembership, ProgrammeSession
from crm.contacts.models import Contact
from crm.extensions import db
from tests.cohorts_helpers import freeze, make_cohort, make_session, utc
from tests.conftest import post_form


@pytest.fixture
def world(app, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 10, 20, 12))
    org = make.organization(name="Organisme « Été » & Cie")
    people = {
        "manager": make.user(role="manager", organization=org),
        "zoe": make.user(role="coach", organization=org, full_name="Zoé Tremblay"),
        "alain": make.user(role="coach", organization=org, full_name="Alain <Roy>"),
        "outsider": make.user(role="coach", organization=make.organization(), full_name="Hors Organisme"),
    }
    e = {
        "a": make.enterprise(org, contacts=3, name="Coop A & fils", stage="training"),
        "b": make.enterprise(org, name="Entreprise <B>", city=None),
        "c": make.enterprise(org, contacts=1, name="Café C"),
        "d": make.enterprise(org, contacts=2, name="Départ D"),
        "z": make.enterprise(org, contacts=1, name="Zèbre E", stage="awareness"),
    }
    make.enterprise(org, contacts=1, name="Candidate Zèbre F")
    cohort = make_cohort(app, org, facilitators=[people["zoe"], people["alain"], people["outsider"]],
                         enterprises=[e["a"], e["b"], e["c"], e["d"], e["z"]], place="Salle 2", region_code="05")
    first = make_session(app, cohort_id=cohort, facilitator=people["zoe"], day=date(2027, 10, 5), title="Atelier 1")
    second = make_session(app, cohort_id=cohort, facilitator=people["alain"], day=date(2027, 10, 12),
                          title="Atelier 2")
    third = make_session(app, cohort_id=cohort, day=date(2027, 10, 13), title="Sans animation")
    called_off = make_session(app, cohort_id=cohort, facilitator=people["zoe"], day=date(2027, 10, 14),
                              title="Annulée après coup")
    with app.app_context():
        from crm.cohorts.models import Cohort

        services.create_session(actor=None, cohort=db.session.get(Cohort, cohort), title="De nuit", mode="hybrid",
                                starts_at=utc(date(2027, 11, 10), time(22)), ends_at=utc(date(2027, 11, 11), time(1)),
                                facilitator_id=people["outsider"].id)
        a, b, c, d = (e[k].id for k in "abcd")
        for session_id, marks in ((first, {a: "present", b: "absent", c: "excused", d: "present"}),
                                  (second, {a: "present", b: "present", c: "excused", d: "absent"}),
                                  (third, {a: "absent"}),
                                  (called_off, {a: "absent", b: "absent", c: "absent"})):
            session = db.session.get(ProgrammeSession, session_id)
            services.record_attendance(session, marks, {}, actor=None,
                                       participants=queries.session_participants(session))
        # A session cancelled after attendance was taken does not count.
        services.cancel_session(db.session.get(ProgrammeSession, called_off), actor=None)
        contacts = db.session.scalars(select(Contact).where(Contact.enterprise_id == a).order_by(Contact.id)).all()
        contacts[0].archived_at = datetime(2027, 10, 1)
        contacts[1].email = None
        anonymized = db.session.scalars(select(Contact).where(Contact.enterprise_id == c)).one()
        anonymized.anonymized_at = datetime(2027, 10, 1)
        leaving = db.session.scalars(select(CohortMembership).where(CohortMembership.enterprise_id == d)).one()
        services.leave_cohort(leaving, actor=None, left_on=date(2027, 10, 15))
        db.session.commit()
        memberships = dict(db.session.execute(select(CohortMembership.enterprise_id, CohortMembership.id)).all())
    return {"cohort": cohort, "people": people, "enterprises": e, "memberships": memberships}


def _rows(page: str, caption: str) -> list[str]:
    table = page.split(f">{caption}</caption>", 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(row.split()) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_a_manager_sees_members_contacts_attendance_and_sessions(world, client, auth):
    auth.sign_in(world["people"]["manager"])
    page = client.get(f"/cohorts/{world['cohort']}").get_data(as_text=True)
    e, memberships = world["enterprises"], world["memberships"]
    assert "Alain &lt;Roy&gt;, Hors Organisme, Zoé Tremblay" in page  # by name, escaped
    assert "4 sur 60 occupées" in page
    members = _rows(page, "Entreprises de la cohorte")
    assert [re.sub(r'<a href="/enterprises/\d+">', "", row.split("<br>")[0]) for row in members] == [
        '<th scope="row">Coop A &amp; fils</a>', '<th scope="row">Entreprise &lt;B&gt;</a>',
        '<th scope="row">Café C</a>', '<th scope="row">Zèbre E</a>']
    coop, other, cafe, zebra = members
    # Current contacts only (not archived, not anonymized), by last then first name; mail links when known.
    last_name = re.search(r"Prénom1 (Nom\d+)", coop).group(1)
    assert f'<td>Prénom1 {last_name}<br>Prénom2 {last_name} · <a href="mailto:contact' in coop
    assert "Prénom0" not in coop
    assert 'stage-training">Formation<' in coop and "1er sept. 2027" in coop
    # Present over present or absent: excused absences and the cancelled session are not counted.
    assert '67 % <span class="muted">(2/3)</span>' in coop
    assert '50 % <span class="muted">(1/2)</span>' in other and "Aucune personne-ressource" in other
    assert '<span class="muted">—</span>' in cafe and "Aucune personne-ressource" in cafe
    assert "(0/" not in zebra and '<span class="muted">—</span>' in zebra
    for row, key in zip(members, ("a", "b", "c", "z"), strict=True):
        membership = memberships[e[key].id]
        assert f'action="/cohorts/{world["cohort"]}/members/{membership}/leave"' in row
        assert f'for="left_on-{membership}"' in row and 'value="2027-10-20"' in row
        assert re.search(r'name="csrf_token"[^>]*value="[^"]{20,}"', row)
    assert (f'<li><a href="/enterprises/{e["d"].id}">Départ D</a> : du 1er sept. 2027 au 15 oct. 2027</li>'
            in page)
    sessions = _rows(page, "Séances de la cohorte")
    assert [re.search(r'<a href="/sessions/\d+">(.*?)</a>', row).group(1) for row in sessions] == [
        "Atelier 1", "Atelier 2", "Sans animation", "Annulée après coup", "De nuit"]
    assert "<td>Zoé Tremblay</td>" in sessions[0] and "<td>Alain &lt;Roy&gt;</td>" in sessions[1]
    assert "<td></td>" in sessions[2] and "stage-withdrawn" in sessions[3]
    assert "10 novembre 2027, 22 h – 11 novembre 2027, 1 h" in sessions[4] and "Hors Organisme" in sessions[4]


def test_the_leave_and_add_forms_of_the_page_work(world, client, auth, app):
    auth.sign_in(world["people"]["manager"])
    url = f"/cohorts/{world['cohort']}"
    search = client.get(f"{url}?q=zebre").get_data(as_text=True)
    found = _rows(search, "Résultats de la recherche")
    assert len(found) == 1 and "Candidate Zèbre F" in found[0]  # Zèbre E is a member already
    assert f'action="{url}/members"' in found[0] and "Accompagnement collectif" in found[0]
    membership = world["memberships"][world["enterprises"]["z"].id]
    response = post_form(client, f"{url}/members/{membership}/leave", {"left_on": "2027-10-20"}, page=url)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    zebra = world["enterprises"]["z"].id
    assert f'<li><a href="/enterprises/{zebra}">Zèbre E</a> : du 1er sept. 2027 au 20 oct. 2027</li>' in page
    assert "3 sur 60 occupées" in page


def test_a_facilitator_sees_the_page_without_the_managers_forms(world, client, auth):
    for person in ("zoe", "outsider"):  # of the organization, and from another one
        auth.sign_in(world["people"][person])
        page = client.get(f"/cohorts/{world['cohort']}").get_data(as_text=True)
        members = _rows(page, "Entreprises de la cohorte")
        assert len(members) == 4 and '67 % <span class="muted">(2/3)</span>' in members[0]
        assert "/leave" not in page and "Ajouter une entreprise" not in page and 'name="q"' not in page
        departed = f'<a href="/enterprises/{world["enterprises"]["d"].id}">Départ D</a> : du 1er sept. 2027'
        assert (departed in page) == (person == "zoe")  # a link only for who may open the enterprise
        assert re.search(r"Départ D(</a>)? : du 1er sept. 2027 au 15 oct. 2027</li>", page)
        auth.logout()
