"""The lean select widget (crm/fields.py) renders what WTForms' own widget renders."""
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice, widgets

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
