"""Select fields whose options are written as plain escaped strings.

WTForms' own widget builds every ``<option>`` through ``html_params`` (sorting, cleaning and
escaping a dict of attributes) and a Markup object; the enterprise list's selects (coaches, cohorts)
hold a few hundred options. Here the options come from the field's public ``iter_choices()`` (WTForms
decides which are selected) and are written as WTForms writes them,
``<option selected value="…">label</option>``, values and labels escaped; an option with attributes
of its own, and grouped options, go through WTForms' widget. An option's markup is memoized by value,
label and state: the same coaches and cohorts fill the selects of every page.
"""
from functools import lru_cache

import wtforms
from markupsafe import Markup, escape
from wtforms import widgets
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
        options = "".join(map(_option, field.iter_choices()))
        html = f"<select {html_params(name=field.name, **kwargs)}>{options}</select>"
        # Every value and label went through escape() in _option_markup() or WTForms' render_option().
        return Markup(html)  # noqa: S704  # nosec B704


def _option(choice) -> str:
    if choice.render_kw:
        return widgets.Select.render_option(choice)
    return _option_markup(str(choice.value), str(choice.label or choice.value), bool(choice.selected))


@lru_cache(maxsize=32768)
def _option_markup(value: str, label: str, selected: bool) -> str:
    return f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label)}</option>'


class SelectField(wtforms.SelectField):
    widget = LeanSelect()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = LeanSelect(multiple=True)


class OptionalSelectField(SelectField):
    """A select whose blank choice ("") stands for a value not given (None on the record)."""

    def process_data(self, value):
        super().process_data("" if value is None else value)
