"""What the cohorts' routes share: the menu entries, other features' sections, the facilitator choices, the
template filters."""
from crm import access, signals
from crm.cohorts import bp, forms
from crm.contributions import MenuItem
from crm.extensions import db
from crm.i18n import _l
from crm.reference import SelectChoice, label


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return [MenuItem("cohorts.list_cohorts", _l("Cohorts"), 30, group="programme"),
            MenuItem("cohorts.my_sessions", _l("My sessions"), 31, group="programme"),
            MenuItem("cohorts.month", _l("Calendar"), 32, also=frozenset({"cohorts.week"}), group="programme")]


def page_sections(shown, user) -> list[tuple[str, dict]]:
    """Other features' sections of a cohort's or a session's page (signals.cohort_sections), by order."""
    sections = sorted(signals.answers(signals.cohort_sections, shown, user=user), key=lambda s: s.order)
    return [(s.template, s.context) for s in sections]


def staff_choices(user, organization_id: int | None, *, include: tuple = ()) -> list[SelectChoice]:
    """The people who may facilitate (crm/access.py), and those already chosen."""
    people = {u.id: u for u in db.session.scalars(access.facilitators(user, organization_id))}
    for extra in include:
        if extra is not None:
            people.setdefault(extra.id, extra)
    return [SelectChoice(u.id, u.full_name) for u in sorted(people.values(), key=lambda u: u.full_name)]


_LABELS = {
    "cohort_kind_label": forms.COHORT_KINDS, "cohort_status_label": forms.COHORT_STATUSES,
    "mode_label": forms.MODES, "attendance_label": forms.ATTENDANCE_LABELS,
    "session_status_label": forms.SESSION_STATUSES,
}
for _name, _mapping in _LABELS.items():
    bp.add_app_template_filter(lambda code, mapping=_mapping: label(mapping, code), _name)
