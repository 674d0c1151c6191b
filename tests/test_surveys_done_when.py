"""The issue's "done when" for surveys, end to end through the real pages and the worker: a coach
takes attendance; the worker sends one survey per person present, once (run twice, attendance saved
twice); each person follows the link of the email they received and answers, one in French, one in
English; the results reach the dashboard."""
from sqlalchemy import select

from crm.extensions import db
from crm.surveys.models import Survey
from tests.conftest import csrf_token, post_form
from tests.referrals_helpers import signed_in
from tests.surveys_helpers import SURVEY_LINK, build, surveys, worker

ANSWERS = {"fr": {"satisfaction": "5", "usefulness": "4", "intention": "yes", "recommend": "yes",
                  "comment": "Très concret, merci."},
           "en": {"satisfaction": "3", "usefulness": "2", "intention": "maybe", "recommend": "no",
                  "comment": "Too fast for us."}}


def _attendance(coach, w, absent_id):
    marks = {f"status-{w.enterprise_ids[0]}": "present", f"contacts-{w.enterprise_ids[0]}": [w.contact_ids[0]],
             f"status-{w.enterprise_ids[1]}": "present", f"contacts-{w.enterprise_ids[1]}": [w.contact_ids[1]],
             f"status-{absent_id}": "absent"}
    return post_form(coach, f"/sessions/{w.session_id}/attendance", marks)


def test_attendance_then_surveys_sent_once_answered_in_two_languages_then_the_dashboard(
        app, make, runner, smtp_server):
    w = build(app, make, people=3)
    coach = signed_in(app, w.coach)

    # 1. The coach takes attendance: two enterprises present (with their contact), one absent.
    assert _attendance(coach, w, w.enterprise_ids[2]).status_code == 302

    # 2. The worker sends one survey per person present; a second round, and the attendance saved
    # again, send nothing more.
    worker(runner)
    assert _attendance(coach, w, w.enterprise_ids[2]).status_code == 302
    worker(runner)
    messages = smtp_server.messages
    assert sorted(m["To"] for m in messages) == sorted(w.emails[:2])
    assert [s.state for s in surveys(app)] == ["sent", "sent"]
    french, english = smtp_server.mailbox.to(w.emails[0])[0], smtp_server.mailbox.to(w.emails[1])[0]
    assert french["Subject"] == "Votre avis sur Atelier vitrine web"
    assert english["Subject"] == "Your opinion on Atelier vitrine web"
    assert french["From"].addresses[0].display_name == "Virage — Pôle Estrie"

    # The dashboard, cached, counts what was sent; answers will change it (their organization's version).
    manager = signed_in(app, w.manager)
    dashboard = manager.get("/reports/").get_data(as_text=True)
    assert 'data-figure="surveys-sent">2<' in dashboard and 'data-figure="surveys-answered">0<' in dashboard

    # 3. Each person follows the link of their email, with no account, and answers in their language.
    recorded = {"fr": "Vos réponses sont enregistrées", "en": "Your answers are recorded"}
    for message, language, heading in ((french, "fr", "Votre avis"), (english, "en", "Your opinion")):
        body = message.get_body(("plain",)).get_content()
        link = SURVEY_LINK.search(body)
        assert link and link.group(2) == language
        person = app.test_client()
        url = f"{link.group(1)}?lang={language}"
        page = person.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and f'lang="{language}"' in html and heading in html
        answered = person.post(url, data={**ANSWERS[language], "csrf_token": csrf_token(person, url)})
        assert answered.status_code == 303
        again = person.get(url).get_data(as_text=True)
        chosen = int(ANSWERS[language]["satisfaction"]) - 1
        assert recorded[language] in again and f'checked id="satisfaction-{chosen}" name="satisfaction"' in again
    with app.app_context():
        rows = db.session.scalars(select(Survey).order_by(Survey.contact_id)).all()
        assert sorted((r.satisfaction, r.usefulness, r.intention, r.recommend) for r in rows) == [
            (3, 2, "maybe", False), (5, 4, "yes", True)]

    # 4. The dashboard: two sent, two answered, 100 %; with two answers, below the threshold of five,
    # the averages are hidden; from two (a setting), they show: (5 + 3) / 2 = 4.0, one of two recommends.
    dashboard = manager.get("/reports/").get_data(as_text=True)
    assert 'data-figure="surveys-sent">2<' in dashboard and 'data-figure="surveys-answered">2<' in dashboard
    assert 'data-figure="surveys-rate">100' in dashboard
    assert "moins de 5 réponses" in dashboard and 'data-figure="surveys-satisfaction"' not in dashboard
    app.config["SURVEY_MIN_ANSWERS"] = 2
    try:
        dashboard = manager.get("/reports/").get_data(as_text=True)
        assert 'data-figure="surveys-satisfaction">4,0 / 5<' in dashboard
        assert 'data-figure="surveys-recommend">50' in dashboard
    finally:
        app.config["SURVEY_MIN_ANSWERS"] = 5
