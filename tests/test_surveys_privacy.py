"""Law 25: a contact's export holds their surveys and answers; their erasure unlinks the survey and
erases what they wrote, keeping the scores that the statistics count."""
from datetime import timedelta

from sqlalchemy import select

from crm.cohorts import timeutil
from crm.contacts.models import Contact
from crm.extensions import db
from crm.privacy.export import build_contact_export
from crm.privacy.services import anonymize_contact
from crm.surveys import queries, services
from crm.surveys.models import Survey, SurveyExtraAnswer
from tests.surveys_helpers import build, take_attendance


def _answered(app, w):
    take_attendance(app, w.session_id, w.enterprise_ids)
    with app.app_context():
        services.queue_due_surveys(timeutil.now())
        text = services.add_question(actor=None, kind="text", label_fr="Un sujet?", label_en="A topic?")
        scale = services.add_question(actor=None, kind="scale", label_fr="Accueil", label_en="Venue")
        surveys = db.session.scalars(select(Survey).order_by(Survey.id)).all()
        for survey in surveys:
            survey.state, survey.sent_at = "sent", timeutil.now()
            services.save_answers(survey, satisfaction=4, usefulness=3, intention="maybe", recommend=True,
                                  comment="Je suis Léa de la Coop du Marais",
                                  extras={text.id: "Mes données", scale.id: "5"},
                                  now=timeutil.now() + timedelta(minutes=5))
        db.session.commit()
        return text.id, scale.id


def test_the_export_holds_the_person_s_surveys(app, make):
    w = build(app, make, people=2)
    _answered(app, w)
    with app.app_context():
        export = build_contact_export(db.session.get(Contact, w.contact_ids[0]))
        (survey,) = export["sections"]["satisfaction_surveys"]
        assert survey["about"] == "Atelier vitrine web" and survey["comment"] == "Je suis Léa de la Coop du Marais"
        assert (survey["satisfaction"], survey["usefulness"], survey["intention"], survey["recommend"]) == (
            4, 3, "maybe", True)
        assert (survey["question: Un sujet?"], survey["question: Accueil"]) == ("Mes données", "5")


def test_erasure_unlinks_and_erases_the_text_but_keeps_the_scores(app, make):
    w = build(app, make, people=2)
    text_id, scale_id = _answered(app, w)
    with app.app_context():
        anonymize_contact(db.session.get(Contact, w.contact_ids[0]), actor=None)
        db.session.commit()
        rows = db.session.scalars(select(Survey).order_by(Survey.id)).all()
        erased, kept = rows
        assert (erased.contact_id, erased.comment, erased.satisfaction, erased.usefulness, erased.recommend) == (
            None, None, 4, 3, True)
        assert (kept.contact_id, kept.comment) == (w.contact_ids[1], "Je suis Léa de la Coop du Marais")
        answers = {(a.survey_id, a.question_id) for a in db.session.scalars(select(SurveyExtraAnswer))}
        assert answers == {(erased.id, scale_id), (kept.id, scale_id), (kept.id, text_id)}
        figures = queries.results(session_id=w.session_id)["total"]
        assert (figures.sent, figures.answered, figures.satisfaction_sum) == (2, 2, 8)
        assert build_contact_export(db.session.get(Contact, w.contact_ids[0]))["sections"]["satisfaction_surveys"] == []
