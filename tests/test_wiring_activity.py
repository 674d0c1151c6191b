"""The dashboard's Activity figures from cohorts, sessions and the timeline, against a hand-built set."""
import io
from datetime import date, time

import pytest
from openpyxl import load_workbook

from crm.cohorts import queries as cohort_queries
from crm.cohorts import services
from crm.cohorts.models import ProgrammeSession
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.reports import queries
from tests.cohorts_helpers import make_cohort, make_session
from tests.enterprises_helpers import world  # noqa: F401 - fixture


def attend(app, session_id, marks):
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        services.record_attendance(session, marks, {}, actor=None,
                                   participants=cohort_queries.session_participants(session))
        db.session.commit()


def coaching_note(app, enterprise, minutes, *, coaching=True):
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        timeline.add_activity(row, actor=None, kind="meeting", occurred_on=date(2026, 2, 15), body="Rencontre",
                              is_coaching=coaching, duration_minutes=minutes)
        db.session.commit()


@pytest.fixture
def activity(app, make, world):  # noqa: F811
    e1, e2 = make.enterprise(world.org), make.enterprise(world.org)
    e3 = make.enterprise(world.other_org)
    cohort = make_cohort(app, world.org, enterprises=[e1, e2], start=date(2026, 1, 5), end=date(2026, 6, 30))
    s1 = make_session(app, cohort_id=cohort, day=date(2026, 2, 10), start=time(9), end=time(12))
    cancelled = make_session(app, cohort_id=cohort, day=date(2026, 3, 10))
    s3 = make_session(app, cohort_id=cohort, day=date(2026, 5, 12))
    individual = make_session(app, enterprise_id=e1.id, day=date(2026, 2, 20), start=time(9), end=time(10, 30))
    elsewhere = make_session(app, enterprise_id=e3.id, day=date(2026, 2, 20), start=time(9), end=time(11))
    attend(app, s1, {e1.id: "present", e2.id: "absent"})
    attend(app, s3, {e1.id: "present", e2.id: "present"})
    attend(app, individual, {e1.id: "present"})
    attend(app, elsewhere, {e3.id: "present"})
    with app.app_context():
        services.cancel_session(db.session.get(ProgrammeSession, cancelled), actor=None)
        db.session.commit()
    coaching_note(app, e2, 60)  # 15 February
    coaching_note(app, e1, 45, coaching=False)  # not coaching: not counted
    return world


COHORT_FIGURES = ("Heures d’accompagnement réalisées", "Séances tenues", "Taux de présence aux cohortes")


def figures(app, user, **period):
    """The cohorts' figures (other features, such as referrals, add their own to the section)."""
    with app.app_context():
        user = db.session.merge(user)
        found = queries.activity_figures(queries.build_scope(user, **period))
        return {str(f.label): f.value for f in found if str(f.label) in COHORT_FIGURES}


def test_activity_figures_of_an_organization(app, activity):
    found = figures(app, activity.manager)
    # 90 min individual session attended + 60 min coaching on the timeline; the other organization's 2 h
    # and the non-coaching meeting are left out.
    assert found["Heures d’accompagnement réalisées"] == 2.5
    assert found["Séances tenues"] == 3  # two cohort sessions and one individual, not the cancelled one
    assert found["Taux de présence aux cohortes"] == pytest.approx(3 / 4)


def test_activity_figures_of_a_period_and_of_the_whole_programme(app, activity):
    february = figures(app, activity.manager, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    assert february == {"Heures d’accompagnement réalisées": 2.5, "Séances tenues": 2,
                        "Taux de présence aux cohortes": pytest.approx(1 / 2)}
    april = figures(app, activity.manager, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert april == {"Heures d’accompagnement réalisées": 0, "Séances tenues": 0,
                     "Taux de présence aux cohortes": None}
    programme = figures(app, activity.admin)
    assert programme["Heures d’accompagnement réalisées"] == 4.5 and programme["Séances tenues"] == 4


def test_dashboard_and_funder_workbook_show_the_figures(app, client, auth, activity):
    auth.sign_in(activity.manager)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Séances tenues" in page and "75" in page
    workbook = load_workbook(io.BytesIO(client.get("/reports/funder.xlsx").data), read_only=True)
    rows = {row[0]: row[1] for row in workbook["Activité"].iter_rows(values_only=True)}
    assert rows["Heures d’accompagnement réalisées"] == 2.5 and rows["Séances tenues"] == 3
    assert rows["Taux de présence aux cohortes"] == pytest.approx(0.75)
