"""Reference lists of the programme (docs/domain.md): stable codes stored, labels translated."""
from flask import current_app
from wtforms import SelectChoice

from crm.i18n import _l, current_locale, lazy_pgettext

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

# Sectors of activity the programme reports on (docs/domain.md): the social-economy sectors of
# Québec's usual portraits. Stored as codes; "other" keeps whatever fits nowhere else.
SECTORS = {
    "personal_services": _l("Personal services"),
    "culture_communications": _l("Culture and communications"),
    "leisure_tourism": _l("Recreation and tourism"),
    "agrifood": _l("Agri-food"),
    "housing": _l("Housing"),
    "retail": _l("Retail trade"),
    "environment_recovery": _l("Environment and recovery"),
    "media": _l("Media"),
    "training_integration": _l("Training and work integration"),
    "business_services": _l("Business services"),
    "health": _l("Health"),
    "early_childhood": _l("Early childhood"),
    "solidarity_finance": _l("Solidarity finance"),
    "other": lazy_pgettext("sector", "Other"),
}

# The list's filter value for enterprises whose sector is not given.
NO_SECTOR = "none"

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


# Tools of a digital diagnostic: the ministry's audit, the ADN 4.0 self-diagnosis, the organization's
# own questionnaire, or another one. "Audit industrie 4.0" and "ADN 4.0" are proper names.
DIAGNOSTIC_TOOLS = {
    "audit_industrie_40": "Audit industrie 4.0",
    "adn_40": _l("ADN 4.0 self-diagnosis"),
    "own": _l("The organization's own diagnostic"),
    "other": _l("Other tool"),
}

# The dimensions a diagnostic is scored on, from 1 to 5, unless the configuration names others
# (DIAGNOSTIC_DIMENSIONS, with DIAGNOSTIC_DIMENSION_LABELS for codes that are not listed here).
DIAGNOSTIC_DIMENSIONS = {
    "strategy": _l("Strategy"),
    "operations": _l("Operations"),
    "sales_marketing": _l("Sales and marketing"),
    "data": _l("Data"),
    "cybersecurity": _l("Cybersecurity"),
    "skills": _l("Skills"),
}
SCORES = range(1, 6)

PROJECT_STATUSES = {
    "planned": lazy_pgettext("project status", "Planned"),
    "started": lazy_pgettext("project status", "Started"),
    "carried_out": lazy_pgettext("project status", "Carried out"),
    "abandoned": lazy_pgettext("project status", "Abandoned"),
}
PROJECT_CATEGORIES = {
    "website_ecommerce": _l("Website and online sales"),
    "management_software": _l("Management software (ERP, CRM, accounting)"),
    "collaboration_tools": _l("Collaboration and productivity tools"),
    "data_analytics": _l("Data and dashboards"),
    "automation": _l("Automation and digital production"),
    "cybersecurity": _l("Cybersecurity"),
    "infrastructure": _l("Equipment, network and cloud"),
    "digital_marketing": _l("Digital marketing"),
    "skills_training": _l("Digital skills training"),
    "other": lazy_pgettext("project category", "Other"),
}


def diagnostic_dimensions() -> dict[str, str]:
    """The dimensions diagnostics are scored on (the app's DIAGNOSTIC_DIMENSIONS, in order), code ->
    label in the request's language. A code not listed in ``DIAGNOSTIC_DIMENSIONS`` takes its label
    from DIAGNOSTIC_DIMENSION_LABELS ({code: {"fr": …, "en": …}}), French when the language is missing."""
    config = current_app.config
    custom = config.get("DIAGNOSTIC_DIMENSION_LABELS") or {}
    locale = current_locale()
    shown = {}
    for code in config.get("DIAGNOSTIC_DIMENSIONS") or DIAGNOSTIC_DIMENSIONS:
        if code in custom:
            names = custom[code]
            shown[code] = names.get(locale) or names.get("fr") or code
        else:
            shown[code] = str(DIAGNOSTIC_DIMENSIONS.get(code, code))
    return shown
