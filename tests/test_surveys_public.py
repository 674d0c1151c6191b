"""The public questionnaire behind a survey's signed link: no account; a tampered link is 404; bad
input is refused with a translated error and changes nothing; answers can be changed until the
survey closes, then the page says it is closed, in the person's language; added questions."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.cohorts import timeutil
from crm.extensions import db
from crm.referrals.tokens import consent_token
from crm.surveys import services
from crm.surveys.models import Survey, SurveyExtraAnswer
from crm.surveys.tokens import survey_token
from tests.conftest import csrf_token
from tests.referrals_helpers import signed_in
from tests.surveys_helpers import build, take_attendance

GOOD = {"satisfaction": "4", "usefulness": "5", "intention": "yes", "recommend": "yes", "comment": "Bien"}


@pytest.fixture
def sent(app, make):
    """A French-speaking person's survey, sent."""
    w = build(app, make, people=1, languages=("fr",))
    take_attendance(app, w.session_id, w.enterprise_ids)
    with app.app_context():
        services.queue_due_surveys(timeutil.now())
        survey = db.session.scalar(select(Survey))
        survey.state, survey.sent_at = "sent", timeutil.now()
        db.session.commit()
        return w, survey.id, f"/surveys/answer/{survey_token(survey.id)}"


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def _answers(app, survey_id):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        return (survey.satisfaction, survey.usefulness, survey.intention, survey.recommend, survey.comment)


def test_a_tampered_or_unknown_link_is_404(app, client, sent):
    _w, survey_id, url = sent
    assert client.get(url).status_code == 200
    assert client.get(url[:-2] + ("aa" if not url.endswith("aa") else "bb")).status_code == 404
    with app.app_context():
        assert client.get(f"/surveys/answer/{survey_token(survey_id + 1)}").status_code == 404
        # The same id, signed for another purpose (a referral's consent link).
        assert client.get(f"/surveys/answer/{consent_token(survey_id)}").status_code == 404
    assert client.get("/surveys/answer/" + "a" * 300).status_code == 404


def test_a_survey_not_sent_is_not_answerable(app, client, sent):
    _w, survey_id, url = sent
    with app.app_context():
        db.session.get(Survey, survey_id).state = "cancelled"
        db.session.commit()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("change", "message", "lang"), [
    ({"satisfaction": ""}, "Choisissez une réponse.", "fr"),
    ({"satisfaction": "9"}, "N&#39;est pas un choix valide", "fr"),
    ({"intention": "perhaps"}, "Not a valid choice", "en"),
    ({"recommend": ""}, "Choose an answer.", "en"),
    ({"comment": "x" * 2001}, "2000", "fr"),
])
def test_bad_input_gets_a_translated_error_and_changes_nothing(app, client, sent, change, message, lang):
    _w, survey_id, url = sent
    response = _post(client, f"{url}?lang={lang}", {**GOOD, **change})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and f'lang="{lang}"' in html
    assert _answers(app, survey_id) == (None, None, None, None, None)


def test_answers_can_change_until_the_survey_closes(app, client, sent, monkeypatch):
    _w, survey_id, url = sent
    assert _post(client, url, GOOD).status_code == 303
    assert _post(client, url, {**GOOD, "satisfaction": "2", "comment": ""}).status_code == 303
    assert _answers(app, survey_id) == (2, 5, "yes", True, None)
    with app.app_context():
        db.session.get(Survey, survey_id).closes_at = timeutil.now() - timedelta(minutes=1)
        db.session.commit()
    closed = client.get(url)
    assert closed.status_code == 200 and "Ce sondage est fermé" in closed.get_data(as_text=True)
    assert "This survey is closed" in client.get(f"{url}?lang=en").get_data(as_text=True)
    refused = client.post(url, data={**GOOD, "satisfaction": "5", "csrf_token": csrf_token(client, "/login")})
    assert refused.status_code == 409 and "Ce sondage est fermé" in refused.get_data(as_text=True)
    assert _answers(app, survey_id) == (2, 5, "yes", True, None)


def test_the_person_s_language_without_lang_in_the_link(app, client, make):
    w = build(app, make, people=1, languages=("en",))
    take_attendance(app, w.session_id, w.enterprise_ids)
    with app.app_context():
        services.queue_due_surveys(timeutil.now())
        survey = db.session.scalar(select(Survey))
        survey.state = "sent"
        db.session.commit()
        url = f"/surveys/answer/{survey_token(survey.id)}"
    html = client.get(url).get_data(as_text=True)
    assert 'lang="en"' in html and "Would you recommend it to another enterprise?" in html


def test_added_questions_asked_in_the_person_s_language_and_counted(app, client, sent):
    w, survey_id, url = sent
    admin = signed_in(app, w.admin)
    for kind, fr, en in (("scale", "Accueil du lieu", "Venue"), ("yes_no", "Reviendrez-vous?", "Back again?"),
                         ("text", "Un sujet pour la suite?", "A topic next?")):
        page = "/surveys/questions"
        response = admin.post(page, data={"kind": kind, "label_fr": fr, "label_en": en,
                                          "csrf_token": csrf_token(admin, page)})
        assert response.status_code == 302
    bad = admin.post("/surveys/questions", data={"kind": "essay", "label_fr": "", "label_en": "x",
                                                 "csrf_token": csrf_token(admin, "/surveys/questions")})
    assert bad.status_code == 400 and "Ce champ est requis" in bad.get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert "Accueil du lieu" in html and "Reviendrez-vous?" in html and "Venue" not in html
    assert "Venue" in client.get(f"{url}?lang=en").get_data(as_text=True)
    with app.app_context():
        ids = [q.id for q in services.queries.active_questions()]
    extra = {f"q{ids[0]}": "4", f"q{ids[1]}": "yes", f"q{ids[2]}": "Les données"}
    assert _post(client, url, {**GOOD, **extra}).status_code == 303
    assert _post(client, url, {**GOOD, f"q{ids[0]}": "7"}).status_code == 400
    with app.app_context():
        stored = {a.question_id: a.value for a in db.session.scalars(select(SurveyExtraAnswer))}
        assert stored == {ids[0]: "4", ids[1]: "yes", ids[2]: "Les données"}
    # Retired: no longer asked, its answers kept.
    retire = f"/surveys/questions/{ids[2]}/retire"
    assert admin.post(retire, data={"csrf_token": csrf_token(admin, "/surveys/questions")}).status_code == 302
    assert "Un sujet pour la suite?" not in client.get(url).get_data(as_text=True)
    manager = signed_in(app, w.manager).get("/surveys").get_data(as_text=True)
    assert "Accueil du lieu" in manager and "1 réponse" in manager
