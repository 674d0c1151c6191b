"""Cohort work's details: enterprise names that link to their page (for who may open it), removing
a member and cancelling a session behind a second step that needs no JavaScript, « Tout le monde
présent » on the attendance sheet, facilitators chosen with tick boxes."""
import re

from sqlalchemy import func, select

from crm.cohorts.models import Attendance, Cohort, ProgrammeSession
from crm.extensions import db
from tests.conftest import post_form
from tests.test_cohorts_page import _rows, world  # noqa: F401 - fixture


def _session_id(app, title):
    with app.app_context():
        return db.session.scalar(select(ProgrammeSession.id).where(ProgrammeSession.title == title))


def _participants(page: str) -> list[str]:
    table = page.split("Entreprises participantes et présences</caption>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row">(.*?)</th>', table)


def test_participants_link_to_their_enterprise_only_for_who_may_open_it(world, client, auth, app):  # noqa: F811
    night = _session_id(app, "De nuit")  # its facilitator belongs to another organization
    e = world["enterprises"]
    auth.sign_in(world["people"]["manager"])
    names = _participants(client.get(f"/sessions/{night}").get_data(as_text=True))
    assert f'<a href="/enterprises/{e["a"].id}">Coop A &amp; fils</a>' in names
    assert all(name.startswith('<a href="/enterprises/') for name in names) and len(names) == 4
    auth.logout()
    auth.sign_in(world["people"]["outsider"])
    names = _participants(client.get(f"/sessions/{night}").get_data(as_text=True))
    assert "Coop A &amp; fils" in names and not any("<a " in name for name in names)
    roster = client.get(f"/cohorts/{world['cohort']}").get_data(as_text=True)
    assert "Coop A &amp; fils" in roster and "/enterprises/" not in roster
    # The page the link would lead to is not theirs.
    assert client.get(f"/enterprises/{e['a'].id}").status_code == 404


def test_removing_a_member_takes_a_second_step(world, client, auth, app):  # noqa: F811
    auth.sign_in(world["people"]["manager"])
    url = f"/cohorts/{world['cohort']}"
    page = client.get(url).get_data(as_text=True)
    membership = world["memberships"][world["enterprises"]["z"].id]
    (row,) = [row for row in _rows(page, "Entreprises de la cohorte") if f"/members/{membership}/leave" in row]
    step = re.search(r'<details class="confirm"> <summary class="button button-quiet">Retirer…</summary>'
                     r"(.*?)</details>", row)
    assert step and f"/members/{membership}/leave" in step.group(1) and 'type="date"' in step.group(1)
    assert "Confirmer le retrait</button>" in step.group(1)
    assert page.count('<details class="confirm">') == 4 and "button-danger\">Retirer<" not in page
    assert post_form(client, f"{url}/members/{membership}/leave", {"left_on": "2027-10-20"},
                     page=url).status_code == 302
    assert "Zèbre E</a> : du 1er sept. 2027 au 20 oct. 2027" in client.get(url).get_data(as_text=True)


def test_cancelling_a_session_takes_a_second_step(world, client, auth, app):  # noqa: F811
    night = _session_id(app, "De nuit")
    auth.sign_in(world["people"]["manager"])
    page = client.get(f"/sessions/{night}").get_data(as_text=True)
    step = re.search(r'<details class="confirm">\s*<summary class="button button-quiet">Annuler la séance…</summary>'
                     r"(.*?)</details>", page, re.S)
    assert step and f'action="/sessions/{night}/cancel"' in step.group(1)
    assert 'name="reason"' in step.group(1) and "Confirmer l'annulation</button>" in step.group(1)
    response = post_form(client, f"/sessions/{night}/cancel", {"reason": "Salle fermée"}, page=f"/sessions/{night}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ProgrammeSession, night).is_cancelled
    assert '<details class="confirm">' not in client.get(f"/sessions/{night}").get_data(as_text=True)


def _checked(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="status-(\d+)" value="(\w+)" checked', page))


def test_everyone_present_ticks_every_enterprise_and_saves_nothing_until_saved(world, client, auth, app):  # noqa: F811
    held = _session_id(app, "Sans animation")  # 13 October: attendance taken for Coop A only (absent)
    url = f"/sessions/{held}/attendance"
    e = world["enterprises"]
    auth.sign_in(world["people"]["manager"])
    before = client.get(url).get_data(as_text=True)
    assert _checked(before) == {str(e["a"].id): "absent"}
    assert f'href="{url}?all=present">Tout le monde présent</a>' in before
    everyone = client.get(f"{url}?all=present").get_data(as_text=True)
    ids = [str(e[k].id) for k in "abcdz"]
    assert _checked(everyone) == dict.fromkeys(ids, "present")
    assert "Rien n'est enregistré avant que vous appuyiez sur « Enregistrer les présences »" in everyone
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendance)
                                 .where(Attendance.session_id == held)) == 1
    assert _checked(client.get(f"{url}?all=yes").get_data(as_text=True)) == {str(e["a"].id): "absent"}
    # Still editable: one changed to absent before saving.
    marks = {f"status-{i}": "present" for i in ids} | {f"status-{e['b'].id}": "absent"}
    assert post_form(client, url, marks).status_code == 302
    with app.app_context():
        saved = dict(db.session.execute(select(Attendance.enterprise_id, Attendance.status)
                                        .where(Attendance.session_id == held)).all())
    assert saved == {e[k].id: ("absent" if k == "b" else "present") for k in "abcdz"}


def test_facilitators_are_tick_boxes(world, client, auth, app):  # noqa: F811
    people = world["people"]
    auth.sign_in(people["manager"])
    url = f"/cohorts/{world['cohort']}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "<select multiple" not in form and 'name="facilitator_ids" multiple' not in form and "Ctrl" not in form
    boxes = re.findall(r'<input( checked)?[^>]*name="facilitator_ids"[^>]*type="checkbox" value="(\d+)"', form)
    assert {value for checked, value in boxes if checked} == {str(people[k].id) for k in ("zoe", "alain", "outsider")}
    assert not re.search(r'name="facilitator_ids" required', form)  # one at least, not each one
    data = {"name": "Cohorte test", "kind": "coaching_collective", "organization_id": "", "status": "running",
            "start_date": "2027-09-01", "end_date": "2027-12-20", "capacity": "60", "mode": "virtual",
            "place": "Salle 2", "region_code": "05", "description": "", "facilitator_ids": [people["zoe"].id]}
    with app.app_context():
        data["organization_id"] = db.session.get(Cohort, world["cohort"]).organization_id
    assert post_form(client, url, data).status_code == 302
    with app.app_context():
        assert [u.id for u in db.session.get(Cohort, world["cohort"]).facilitators] == [people["zoe"].id]
    refused = post_form(client, url, {k: v for k, v in data.items() if k != "facilitator_ids"})
    assert refused.status_code == 400 and 'id="facilitator_ids-error"' in refused.get_data(as_text=True)
