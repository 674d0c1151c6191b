"""Forms of the surveys: the questionnaire (the standard questions, then those an admin added), an
added question, a cohort's timing."""
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import choices
from crm.surveys.models import SurveyQuestion

SCALE = choices({str(n): str(n) for n in range(1, 6)})
YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}
YES_NO = choices(YES_NO_LABELS)
INTENTION_LABELS = {"yes": _l("Yes"), "maybe": _l("Maybe"), "no": _l("No")}
QUESTION_KIND_LABELS = {"scale": _l("A scale from 1 to 5"), "yes_no": _l("Yes or no"), "text": _l("Free text")}
TIMING_LABELS = {"session": _l("After each session"), "cohort_end": _l("Once, at the end of the cohort"),
                 "none": _l("No survey")}
MAX_TEXT = 2000


def _answer_required():
    return InputRequired(message=_l("Choose an answer."))


class AnswerForm(Form):
    satisfaction = RadioField(_l("Overall, how satisfied are you? (1: not at all, 5: very)"), choices=SCALE,
                              validators=[_answer_required()])
    usefulness = RadioField(_l("How useful was it for your enterprise? (1: not at all, 5: very)"), choices=SCALE,
                            validators=[_answer_required()])
    intention = RadioField(_l("Do you intend to put what you learned into action?"),
                           choices=choices(INTENTION_LABELS), validators=[_answer_required()])
    recommend = RadioField(_l("Would you recommend it to another enterprise?"), choices=YES_NO,
                           validators=[_answer_required()])
    comment = TextAreaField(_l("A comment? (optional)"), validators=[Optional(), Length(max=MAX_TEXT)])

    def values(self) -> dict:
        return {"satisfaction": int(self.satisfaction.data), "usefulness": int(self.usefulness.data),
                "intention": self.intention.data, "recommend": self.recommend.data == "yes",
                "comment": (self.comment.data or "").strip() or None}

    def extras(self, questions) -> dict[int, str]:
        return {q.id: (getattr(self, f"q{q.id}").data or "").strip() for q in questions}


def _extra_field(question: SurveyQuestion, language: str):
    label = question.label(language)
    if question.kind == "scale":
        return RadioField(label, choices=SCALE, validators=[Optional()])
    if question.kind == "yes_no":
        return RadioField(label, choices=YES_NO, validators=[Optional()])
    return TextAreaField(label, validators=[Optional(), Length(max=MAX_TEXT)])


def answer_form(questions, language: str, survey=None) -> AnswerForm:
    """The questionnaire with the added questions, labelled in ``language``, filled with ``survey``'s
    answers when it has some (the person changes them)."""
    fields = {f"q{q.id}": _extra_field(q, language) for q in questions}
    form_class = type("SurveyAnswerForm", (AnswerForm,), fields)
    if survey is None or survey.answered_at is None:
        return form_class()
    given = {a.question_id: a.value for a in survey.extra_answers}
    data = {"satisfaction": str(survey.satisfaction), "usefulness": str(survey.usefulness),
            "intention": survey.intention, "recommend": "yes" if survey.recommend else "no",
            "comment": survey.comment or "", **{f"q{q.id}": given.get(q.id, "") for q in questions}}
    return form_class(data=data)


class QuestionForm(Form):
    kind = SelectField(_l("Kind"), choices=choices(QUESTION_KIND_LABELS), default="scale")
    label_fr = StringField(_l("Question in French"), validators=[DataRequired(), Length(max=200)])
    label_en = StringField(_l("Question in English"), validators=[DataRequired(), Length(max=200)])


class RetireForm(Form):
    pass


class TimingForm(Form):
    timing = SelectField(_l("Satisfaction survey"), choices=choices(TIMING_LABELS))
