"""Select fields whose options render without WTForms' generic attribute machinery.

WTForms builds every ``<option>`` through ``html_params`` (sorting, cleaning and escaping a dict of
attributes) and a Markup object; the enterprise list's selects (coaches, cohorts) hold a few
hundred options, which cost more than the page's SQL. The markup is the same:
``<option selected value="…">label</option>``, values and labels escaped. An option's markup is
memoized by value, label and state: the same coaches and cohorts fill the selects of every page.
"""
from functools import lru_cache

import wtforms
from markupsafe import Markup, escape
from wtforms import SelectChoice, widgets
from wtforms.widgets import html_params


class LeanSelect(widgets.Select):
    def __call__(self, field, **kwargs):
        if field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for key in self.validation_attrs:
            if key not in kwargs and getattr(flags, key, False):
                kwargs[key] = getattr(flags, key)
        options = _plain_options(field)
        if options is None:
            options = "".join(_option(choice) for choice in field._iter_choices_normalized())
        html = f"<select {html_params(name=field.name, **kwargs)}>{options}</select>"
        # Every value and label went through escape() in _option().
        return Markup(html)  # noqa: S704  # nosec B704


def _plain_options(field) -> str | None:
    """The options of a field whose choices are plain ``SelectChoice`` (no attributes, no groups),
    selected as WTForms selects them (the coerced value equals, or is among, the data); else None."""
    choices = field.choices or []
    if any(type(choice) is not SelectChoice or choice.render_kw for choice in choices):
        return None
    coerce = field.coerce
    if isinstance(field, wtforms.SelectMultipleField):
        data = field.data or ()
        return "".join(_option_markup(str(c.value), str(c.label), coerce(c.value) in data) for c in choices)
    data = field.data
    return "".join(_option_markup(str(c.value), str(c.label), coerce(c.value) == data) for c in choices)


@lru_cache(maxsize=32768)
def _option_markup(value: str, label: str, selected: bool) -> str:
    return f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label)}</option>'


def _option(choice) -> str:
    if choice.render_kw:
        return str(widgets.Select.render_option(choice))
    return _option_markup(str(choice.value), str(choice.label or choice.value), bool(choice.selected))


class SelectField(wtforms.SelectField):
    widget = LeanSelect()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = LeanSelect(multiple=True)
