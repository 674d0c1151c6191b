"""Select fields whose options render without WTForms' generic attribute machinery.

WTForms builds every ``<option>`` through ``html_params`` (sorting, cleaning and escaping a dict of
attributes); a page with a few hundred options (coaches, cohorts) spent more time there than in
its SQL. The markup is the same: ``<option value="…" selected>label</option>``.
"""
import wtforms
from markupsafe import Markup
from wtforms import widgets

_OPTION = Markup('<option value="%s">%s</option>')
_SELECTED_OPTION = Markup('<option selected value="%s">%s</option>')


class LeanSelect(widgets.Select):
    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        template = _SELECTED_OPTION if choice.selected else _OPTION
        return template % (value, choice.label or choice.value)  # Markup's % escapes both


class SelectField(wtforms.SelectField):
    widget = LeanSelect()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = LeanSelect(multiple=True)
