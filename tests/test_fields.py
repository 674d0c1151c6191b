"""The lean select widget (crm/fields.py) and the choice_inputs macro (macros/forms.html) render
what WTForms' own widgets render."""
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectChoice, widgets
from wtforms.validators import InputRequired

from crm.fields import SelectField, SelectMultipleField
from crm.forms import Form


class _Form(Form):
    class Meta:
        csrf = False

    single = SelectField(coerce=int)
    several = SelectMultipleField(coerce=str)


def _form(app, data):
    with app.test_request_context():
        form = _Form(formdata=MultiDict(data))
        form.single.choices = [SelectChoice(1, "Un"), SelectChoice(2, "L'autre <b>")]
        form.several.choices = [SelectChoice("a", "A"), SelectChoice("b", "B & C"), SelectChoice("c", "C")]
        return str(form.single()), str(form.several()), form


def test_options_are_selected_and_escaped_like_wtforms(app):
    single, several, form = _form(app, [("single", "2"), ("several", "a"), ("several", "c")])
    assert single == ('<select id="single" name="single"><option value="1">Un</option>'
                      '<option selected value="2">L&#39;autre &lt;b&gt;</option></select>')
    assert several == ('<select id="several" multiple name="several"><option selected value="a">A</option>'
                       '<option value="b">B &amp; C</option><option selected value="c">C</option></select>')
    with app.test_request_context():
        wtforms_own = widgets.Select(multiple=True)(form.several)
    assert several == str(wtforms_own)


def test_the_same_option_changes_with_the_data(app):
    first, _several, _form1 = _form(app, [("single", "1")])
    second, _several, _form2 = _form(app, [("single", "2")])
    assert '<option selected value="1">' in first and '<option value="1">' in second
    assert '<option selected value="2">' in second


def test_options_with_attributes_take_the_wtforms_path(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict([("single", "1")]))
        form.single.choices = [SelectChoice(1, "Un", render_kw={"disabled": True}), SelectChoice(2, "Deux")]
        html = str(form.single())
    assert '<option disabled selected value="1">Un</option>' in html and '<option value="2">Deux</option>' in html


class _Choices(Form):
    class Meta:
        csrf = False

    several = SelectMultipleField(choices=[SelectChoice("a", "A"), SelectChoice("b", "B & <C>"), SelectChoice("c")],
                                  widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())
    one = RadioField(choices=[SelectChoice("x", "Ex"), SelectChoice("y", "Why?")], validators=[InputRequired()])


def test_choice_inputs_write_each_choice_as_wtforms_own_inputs_do(app):
    rendered = {}
    with app.test_request_context():
        form = _Choices(formdata=MultiDict([("several", "b"), ("several", "c"), ("one", "y")]))
        for f in (form.several, form.one):
            rendered[f.name] = render_template_string(
                '{% from "macros/forms.html" import choice_inputs %}{{ choice_inputs(f) }}', f=f)
            wtforms_own = render_template_string('{% for option in f %}<label class="checkbox">{{ option() }} '
                                                 '{{ option.label.text }}</label>{% endfor %}', f=f)
            assert rendered[f.name] == wtforms_own
    assert rendered["several"] == (
        '<label class="checkbox"><input id="several-0" name="several" type="checkbox" value="a"> A</label>'
        '<label class="checkbox"><input checked id="several-1" name="several" type="checkbox" value="b"> '
        'B &amp; &lt;C&gt;</label>'
        '<label class="checkbox"><input checked id="several-2" name="several" type="checkbox" value="c"> c</label>')
    assert rendered["one"] == (
        '<label class="checkbox"><input id="one-0" name="one" required type="radio" value="x"> Ex</label>'
        '<label class="checkbox"><input checked id="one-1" name="one" required type="radio" value="y"> Why?</label>')
