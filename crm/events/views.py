"""What the events' routes share: the menu entry and the template filters."""
from datetime import timedelta

from crm import access, signals
from crm.cohorts import timeutil
from crm.contributions import MenuItem
from crm.events import bp
from crm.events.forms import EVENT_KINDS, EVENT_STATUSES, LANGUAGE_CHOICES, MATCH_STATUSES, MODES, REGISTRATION_STATUSES
from crm.formatting import format_date
from crm.i18n import _l
from crm.reference import label


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("events.manage_list", _l("Events"), 35, access.can_see_events, group="programme")


_LABELS = {"event_kind_label": EVENT_KINDS, "event_status_label": EVENT_STATUSES, "event_mode_label": MODES,
           "event_languages_label": LANGUAGE_CHOICES, "registration_status_label": REGISTRATION_STATUSES,
           "match_status_label": MATCH_STATUSES}
for _name, _mapping in _LABELS.items():
    bp.add_app_template_filter(lambda code, mapping=_mapping: label(mapping, code), _name)


@bp.app_template_filter("deadline_day")
def deadline_day(deadline) -> str:
    """The last day to register: the deadline is the midnight (Québec time) that ends it."""
    return format_date((timeutil.to_local(deadline) - timedelta(days=1)).date(), "long")
