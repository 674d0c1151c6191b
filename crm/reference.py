"""Reference lists of the programme (docs/domain.md): stable codes stored, labels translated."""
from wtforms import SelectChoice

from crm.i18n import _l, lazy_pgettext

REGIONS: dict[str, str] = {
    # Proper nouns: the same in both languages.
    "01": "Bas-Saint-Laurent",
    "02": "Saguenay–Lac-Saint-Jean",
    "03": "Capitale-Nationale",
    "04": "Mauricie",
    "05": "Estrie",
    "06": "Montréal",
    "07": "Outaouais",
    "08": "Abitibi-Témiscamingue",
    "09": "Côte-Nord",
    "10": "Nord-du-Québec",
    "11": "Gaspésie–Îles-de-la-Madeleine",
    "12": "Chaudière-Appalaches",
    "13": "Laval",
    "14": "Lanaudière",
    "15": "Laurentides",
    "16": "Montérégie",
    "17": "Centre-du-Québec",
}

# Social-economy enterprises per region (docs/domain.md figures where given, the rest estimated so
# that the province adds up to about 11,200). Used by the demo and scale data generators.
REGION_WEIGHTS: dict[str, int] = {
    "01": 420, "02": 520, "03": 1220, "04": 430, "05": 560, "06": 2780, "07": 380,
    "08": 260, "09": 190, "10": 60, "11": 280, "12": 640, "13": 330, "14": 470,
    "15": 560, "16": 1370, "17": 330,
}

LEGAL_FORMS = {
    "obnl": _l("Non-profit organization"),
    "coop_work": _l("Worker co-operative"),
    "coop_worker_shareholder": _l("Worker-shareholder co-operative"),
    "coop_producer": _l("Producer co-operative"),
    "coop_consumer": _l("Consumer co-operative"),
    "coop_solidarity": _l("Solidarity co-operative"),
    "coop_financial": _l("Financial co-operative"),
    "mutual": _l("Mutual"),
}

STAGES = {
    "identified": lazy_pgettext("funnel stage", "Identified"),
    "awareness": lazy_pgettext("funnel stage", "Awareness"),
    "training": lazy_pgettext("funnel stage", "Training"),
    "coaching_individual": lazy_pgettext("funnel stage", "Individual coaching"),
    "coaching_collective": lazy_pgettext("funnel stage", "Collective coaching"),
    "completed": lazy_pgettext("funnel stage", "Completed"),
    "withdrawn": lazy_pgettext("funnel stage", "Withdrawn"),
}

# Position in the journey; the two coaching kinds stand at the same step.
STAGE_ORDER = {
    "identified": 0,
    "awareness": 1,
    "training": 2,
    "coaching_individual": 3,
    "coaching_collective": 3,
    "completed": 4,
}
# The usual next step, offered first when a coach changes an enterprise's stage.
NEXT_STAGE = {
    "identified": "awareness",
    "awareness": "training",
    "training": "coaching_individual",
    "coaching_individual": "completed",
    "coaching_collective": "completed",
}
# Stages that count toward the programme's target ("reached"): awareness or beyond.
REACHED_STAGES = frozenset(STAGE_ORDER) - {"identified"}

ROLES = {
    "admin": _l("Programme office"),
    "manager": _l("Manager"),
    "coach": _l("Coach"),
}

LANGUAGES = {"fr": _l("French"), "en": _l("English")}

ORGANIZATION_KINDS = {
    "national": _l("National partner"),
    "regional": _l("Regional hub"),
}


def region_label(code: str | None) -> str:
    return REGIONS.get(code or "", code or "")


def label(mapping: dict, code: str | None) -> str:
    """The translated label of a code, or the code itself when unknown."""
    value = mapping.get(code or "")
    return str(value) if value is not None else (code or "")


def translated(mapping: dict) -> dict[str, str]:
    """Code -> label in the request's language, for a page that shows a label on each of its rows."""
    return {code: str(text) for code, text in mapping.items()}


def choices(mapping: dict, *, blank=None) -> list[SelectChoice]:
    """Options for a WTForms SelectField (WTForms 3.3 wants SelectChoice, not tuples)."""
    items = [SelectChoice(code, value) for code, value in mapping.items()]
    if blank is not None:
        items.insert(0, SelectChoice("", blank))
    return items


def is_backward(from_stage: str | None, to_stage: str) -> bool:
    """Moving back in the journey, or withdrawing, asks the coach for a comment."""
    if to_stage == "withdrawn":
        return True
    if from_stage is None or from_stage == "withdrawn":
        return False
    return STAGE_ORDER[to_stage] < STAGE_ORDER[from_stage]
