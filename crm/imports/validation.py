"""Columns an import knows, how headers are recognized, and how one row is checked.

Values are cleaned with the same functions as the forms (``crm.validators``); regions, legal
forms and sectors are recognized by code or by French or English name, with or without accents.
Each problem is an *issue* (line, column, value, code, params) translated only when shown.
"""
import re
from dataclasses import dataclass, field
from functools import cache

from email_validator import EmailNotValidError, validate_email

from crm.enterprises.services import enterprise_keys
from crm.i18n import _, _l, force_locale
from crm.imports.parsing import header_key
from crm.reference import LEGAL_FORMS, REGIONS, SECTORS
from crm.text import fold, single_line
from crm.validators import InvalidValue, clean_neq, clean_phone, clean_postal_code, clean_url


@dataclass(frozen=True)
class ImportField:
    key: str
    label: object  # lazy string
    aliases: tuple[str, ...]
    max_length: int | None = None


FIELDS = {f.key: f for f in (
    ImportField("name", _l("Enterprise name"), (
        "nom de l entreprise", "nom entreprise", "entreprise", "nom", "raison sociale", "nom de l organisme",
        "organisme", "nom legal", "name", "enterprise", "enterprise name", "company", "company name",
        "organization", "organization name", "organisation"), 200),
    ImportField("neq", _l("NEQ"), ("neq", "numero d entreprise du quebec", "numero d entreprise",
                                    "no neq", "quebec enterprise number", "enterprise number")),
    ImportField("legal_form", _l("Legal form"), ("forme juridique", "statut juridique", "forme", "type",
                                                  "type d entreprise", "legal form", "legal status")),
    ImportField("region_code", _l("Administrative region"), (
        "region administrative", "region", "no region", "code de region", "code region",
        "administrative region", "region code")),
    ImportField("city", _l("City"), ("ville", "municipalite", "localite", "city", "town", "municipality"), 120),
    ImportField("postal_code", _l("Postal code"), ("code postal", "postal code", "zip", "zip code")),
    ImportField("sector_code", _l("Sector of activity"), (
        "secteur", "secteur d activite", "secteur d activites", "sector", "industry", "activity sector",
        "sector of activity")),
    ImportField("sector", _l("Activity (details)"), (
        "activite", "activites", "description de l activite", "precisions sur l activite", "description",
        "activity", "activity details", "description of activity"), 120),
    ImportField("employees", _l("Employees"), ("employes", "nombre d employes", "nb employes", "employees",
                                                "number of employees", "staff"), None),
    ImportField("website", _l("Website"), ("site web", "site internet", "site", "website", "web site", "url"), 300),
    ImportField("contact_first_name", _l("Contact first name"), (
        "prenom", "prenom du contact", "prenom contact", "first name", "given name", "contact first name"), 100),
    ImportField("contact_last_name", _l("Contact last name"), (
        "nom du contact", "nom de famille", "nom contact", "last name", "surname", "family name",
        "contact last name"), 100),
    ImportField("contact_title", _l("Contact title"), ("titre", "fonction", "poste", "titre du contact",
                                                        "title", "job title", "position"), 120),
    ImportField("contact_email", _l("Contact email"), (
        "courriel", "adresse courriel", "courriel du contact", "adresse electronique", "email", "e-mail",
        "e mail", "contact email", "email address"), 254),
    ImportField("contact_phone", _l("Contact phone"), ("telephone", "tel", "no de telephone",
                                                        "numero de telephone", "phone", "phone number"), 40),
    ImportField("contact_language", _l("Contact language"), (
        "langue", "langue du contact", "langue preferee", "langue de correspondance", "language",
        "preferred language", "contact language")),
    ImportField("contact_consent", _l("Consent to emails"), (
        "consentement", "consentement courriel", "consentement aux courriels", "accepte les courriels",
        "consent", "email consent", "consent to emails")),
)}
CONTACT_KEYS = tuple(k for k in FIELDS if k.startswith("contact_"))

ISSUE_MESSAGES = {
    "missing_name": _l("The enterprise name is missing."),
    "too_long": _l("Too long: %(length)s characters, at most %(max)s."),
    "invalid_neq": _l("The NEQ must have exactly 10 digits."),
    "invalid_postal_code": _l("Enter a Canadian postal code such as H2X 1Y4."),
    "invalid_phone": _l("Enter a 10-digit North-American phone number."),
    "invalid_url": _l("Enter a web address such as https://example.org."),
    "invalid_email": _l("This email address is not valid."),
    "unknown_region": _l("Unknown administrative region: use its number (01 to 17) or its name."),
    "missing_region": _l("The administrative region is missing."),
    "unknown_legal_form": _l("Unknown legal form."),
    "unknown_sector": _l("Sector not recognized: kept as the activity's details; the sector stays to be chosen."),
    "missing_legal_form": _l("The legal form is missing."),
    "invalid_employees": _l("The number of employees must be a whole number."),
    "unknown_language": _l("Unknown language: use French or English."),
    "invalid_consent": _l("Consent to emails must be yes or no."),
    "missing_contact_name": _l("The contact needs a first or last name."),
    "duplicate_in_file": _l("Same enterprise as line %(line)s of this file: skipped."),
    "other_organization": _l("Already in Virage, owned by %(owner)s: never modified by an import."),
    "archived": _l("Already in Virage as « %(name)s », archived: skipped."),
    "existing": _l("Already in Virage as « %(name)s »."),
    "updated": _l("Already in Virage as « %(name)s »: updated."),
    "existing_skipped": _l("Already in Virage as « %(name)s »: skipped."),
}
NOTICE_CODES = frozenset({"unknown_sector", "duplicate_in_file", "other_organization", "archived", "existing",
                          "updated", "existing_skipped"})
ERROR_CODES = frozenset(ISSUE_MESSAGES) - NOTICE_CODES
_CLEANER_CODES = {clean_neq: "invalid_neq", clean_postal_code: "invalid_postal_code",
                  clean_phone: "invalid_phone", clean_url: "invalid_url"}

_YES = frozenset({"oui", "o", "yes", "y", "1", "true", "vrai", "x"})
_NO = frozenset({"non", "n", "no", "0", "false", "faux"})
_LANGUAGES = {"fr": "fr", "fra": "fr", "francais": "fr", "french": "fr",
              "en": "en", "eng": "en", "anglais": "en", "english": "en"}
_LEGAL_FORM_ALIASES = {
    "obnl": ("obnl", "osbl", "organisme sans but lucratif", "organisme a but non lucratif", "npo", "nonprofit",
             "non profit", "non profit organization"),
    "coop_work": ("coop de travail", "cooperative de travail", "worker cooperative"),
    "coop_worker_shareholder": ("cta", "cooperative de travailleurs actionnaire"),
    "coop_producer": ("coop de producteurs", "cooperative de producteurs", "producer cooperative"),
    "coop_consumer": ("coop de consommateurs", "cooperative de consommateurs", "consumer cooperative"),
    "coop_solidarity": ("coop de solidarite", "cooperative de solidarite", "solidarity cooperative"),
    "coop_financial": ("cooperative financiere", "financial cooperative"),
    "mutual": ("mutuelle", "mutual"),
}
# Other names of the sectors (folded), besides their code and their French and English labels.
SECTOR_ALIASES = {
    "personal_services": ("services aux personnes", "services a la personne", "services personnels",
                          "aide a domicile", "aide domestique", "services funeraires", "services sociaux",
                          "social services", "home care"),
    "culture_communications": ("culture", "arts", "arts et culture", "communications",
                               "arts culture et communications", "arts and culture"),
    "leisure_tourism": ("loisir", "loisirs", "tourisme", "loisir et tourisme", "tourisme social", "recreation",
                        "tourism", "leisure", "leisure and tourism"),
    "agrifood": ("agroalimentaire", "alimentation", "agriculture", "bioalimentaire", "agri food", "food"),
    "housing": ("habitation", "logement", "logement communautaire"),
    "retail": ("commerce", "commerce de detail", "detail", "retail"),
    "environment_recovery": ("environnement", "recuperation", "recyclage", "ressourcerie", "environment",
                             "recycling", "environment and recycling"),
    "media": ("medias", "medias communautaires", "community media"),
    "training_integration": ("formation", "insertion", "insertion socioprofessionnelle", "formation et insertion",
                             "entreprise d insertion", "work integration", "training"),
    "business_services": ("services aux entreprises", "services professionnels"),
    "health": ("sante", "sante et services sociaux", "soins", "health care"),
    "early_childhood": ("petite enfance", "cpe", "centre de la petite enfance", "garderie", "services de garde",
                        "childcare", "child care"),
    "solidarity_finance": ("finance solidaire", "finance", "finance responsable", "credit communautaire",
                           "community finance"),
    "other": ("autre", "autres", "divers", "other"),
}
_SAINT = {"st": "saint", "ste": "sainte"}
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_WHOLE_NUMBER = re.compile(r"(\d{1,7})(?:[.,]0+)?")


def choice_key(value: str | None) -> str:
    """'Saguenay–Lac-St-Jean' -> 'saguenay lac saint jean'; 'Co-operative' -> 'cooperative'."""
    words = fold(value).replace("-", " ").replace("co operative", "cooperative").replace(".", " ").split()
    return " ".join(_SAINT.get(w, w) for w in words)


# « Nom » alone is the enterprise's name, unless another column holds it and a first-name column
# stands beside it: then it is the contact's last name.
_AMBIGUOUS_NAMES = frozenset({"nom", "name"})


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{"column index": field} for the headers recognized, each field used once."""
    aliases = {header_key(alias): key for key, f in FIELDS.items() for alias in f.aliases}
    mapping, used, ambiguous = {}, set(), []
    for index, header in enumerate(headers):
        folded = header_key(header)
        if folded in _AMBIGUOUS_NAMES:
            ambiguous.append(index)
            continue
        key = aliases.get(folded)
        if key and key not in used:
            mapping[str(index)] = key
            used.add(key)
    for index in ambiguous:
        key = "name" if "name" not in used else "contact_last_name"
        if key == "contact_last_name" and ("contact_first_name" not in used or key in used):
            continue
        mapping[str(index)] = key
        used.add(key)
    return dict(sorted(mapping.items(), key=lambda item: int(item[0])))


def _coded_names(labels: dict, aliases: dict) -> dict[str, str]:
    """Folded code, aliases and French and English labels -> code."""
    names = {}
    for code, label in labels.items():
        names[choice_key(code)] = names[choice_key(code.replace("_", " "))] = code
        for alias in aliases.get(code, ()):
            names[choice_key(alias)] = code
        for locale in ("fr", "en"):
            with force_locale(locale):
                names[choice_key(str(label))] = code
    return names


@dataclass
class Lookups:
    regions: dict[str, str]
    legal_forms: dict[str, str]
    sectors: dict[str, str]

    @classmethod
    def build(cls) -> "Lookups":
        regions = {choice_key(name): code for code, name in REGIONS.items()}
        return cls(regions, _coded_names(LEGAL_FORMS, _LEGAL_FORM_ALIASES), _coded_names(SECTORS, SECTOR_ALIASES))

    def region(self, value: str) -> str | None:
        """'06', '6', 'Montréal', 'montreal', '06 - Montréal', 'Montréal (06)' -> '06'."""
        key = choice_key(value)
        if key.isdigit():
            code = f"{int(key):02d}"
            return code if code in REGIONS else None
        if key in self.regions:
            return self.regions[key]
        match = re.fullmatch(r"(\d{1,2}) (.+)|(.+) (\d{1,2})", key)
        if match:
            number, name = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            code = f"{int(number):02d}"
            return code if self.regions.get(name) == code else None
        return None

    def legal_form(self, value: str) -> str | None:
        return self.legal_forms.get(choice_key(value))

    def sector(self, value: str) -> str | None:
        """'Habitation', 'habitation', 'Housing', 'housing', 'logement' -> 'housing'."""
        return self.sectors.get(choice_key(value))


@dataclass
class RowResult:
    line: int
    enterprise: dict = field(default_factory=dict)
    contact: dict | None = None
    issues: list = field(default_factory=list)
    # Decided by crm.imports.matching: create | existing | skip (invalid rows keep "invalid").
    action: str = "invalid"
    existing: object = None
    fill: dict = field(default_factory=dict)
    add_contact: bool = False
    # Fields whose cell was empty and that take the import's default value.
    defaulted: list = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not any(issue["code"] in ERROR_CODES for issue in self.issues)


# The values a valid row holds once checked (RowValidator), in the order pack_rows keeps them; the
# folded keys (``enterprise_keys``) are computed once, by the check, for the duplicates and the commit.
KEYS = ("name_key", "city_key", "search_text")
ENTERPRISE_VALUES = ("name", "neq", "postal_code", "website", "city", "sector_code", "sector", "region_code",
                     "legal_form",
                     "employees", *KEYS)
CONTACT_VALUES = ("first_name", "last_name", "title", "email", "phone", "preferred_language", "email_consent")


def pack_rows(results: list[RowResult]) -> dict:
    """The valid rows as checked, in a compact form for JSON: what the commit writes, so that it
    neither reads nor checks the file again. Refused rows are not kept: their issues are."""
    return {"enterprise": ENTERPRISE_VALUES, "contact": CONTACT_VALUES,
            "rows": [[r.line, [r.enterprise[k] for k in ENTERPRISE_VALUES],
                      None if r.contact is None else [r.contact[k] for k in CONTACT_VALUES]]
                     for r in results if r.is_valid]}


def unpack_rows(packed: dict) -> list[RowResult]:
    enterprise_names, contact_names = packed["enterprise"], packed["contact"]
    rows = [RowResult(line, enterprise=dict(zip(enterprise_names, values, strict=True)),
                      contact=None if contact is None else dict(zip(contact_names, contact, strict=True)))
            for line, values, contact in packed["rows"]]
    if not set(KEYS) <= set(enterprise_names):  # checked before the keys were kept
        for row in rows:
            add_keys(row)
    return rows


def add_keys(result: RowResult) -> None:
    """The folded columns of the enterprise the valid row would create, with its contact."""
    values, contact = result.enterprise, result.contact
    people = [] if contact is None else [(contact["first_name"], contact["last_name"], contact["email"])]
    values["name_key"], values["city_key"], values["search_text"] = enterprise_keys(
        values["name"], values["neq"], values["city"], people)


def make_issue(row_line: int, column: str, value: str, code: str, **params) -> dict:
    shown = value if len(value) <= 80 else value[:80] + "…"
    return {"line": row_line, "column": column, "value": shown, "code": code, "params": params}


def issue_message(issue: dict) -> str:
    """The issue's reason, in the current language."""
    params = dict(issue.get("params") or {})
    message = str(ISSUE_MESSAGES.get(issue["code"], issue["code"]))
    text = message % params if params else message
    if issue["code"] in ("existing", "updated"):
        fields = params.get("fields") or []
        labels = ", ".join(str(FIELDS[f].label) if f in FIELDS else _("contact") for f in fields)
        if fields and issue["code"] == "updated":
            text += " " + _("Added: %(fields)s.", fields=labels)
        elif fields:
            text += " " + _("Empty fields this row can fill: %(fields)s.", fields=labels)
        else:
            text += " " + _("Nothing to add.")
    return text


def _unquoted(value: str) -> str:
    """'=1+2 -> =1+2: the quote that the report of rows to fix puts before a formula's text, as
    Excel marks text, comes off when the fixed rows are imported again."""
    return value[1:] if value.startswith("'") and value[1:2] in ("=", "+", "-", "@") else value


def is_error(issue: dict) -> bool:
    return issue["code"] in ERROR_CODES


class RowValidator:
    """Checks the rows of one file against one mapping; build once, call for each row."""

    def __init__(self, headers: list[str], mapping: dict[str, str], defaults: dict | None = None):
        self.columns = {key: int(index) for index, key in mapping.items() if key in FIELDS}
        self.headers = headers
        self.defaults = defaults or {}
        self.lookups = Lookups.build()
        # A column of regions, legal forms, languages or consents repeats a few values: each is
        # recognized once. An address met again (a partner's generic addresses) is checked once.
        self._region = cache(self.lookups.region)
        self._legal_form = cache(self.lookups.legal_form)
        self._sector = cache(self.lookups.sector)
        self._fold = cache(fold)
        self._emails: dict[str, str | None] = {}

    def column_name(self, key: str) -> str:
        index = self.columns.get(key)
        if index is not None and index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return str(FIELDS[key].label)

    def validate(self, line: int, cells: list[str]) -> RowResult:
        raw = {key: (_unquoted(single_line(cells[i]).strip()) if i < len(cells) else "")
               for key, i in self.columns.items()}
        result = RowResult(line)
        for key, value in raw.items():
            limit = FIELDS[key].max_length
            if limit and len(value) > limit:
                self._issue(result, key, value, "too_long", length=len(value), max=limit)
                raw[key] = ""
        self._enterprise(result, raw)
        self._contact(result, raw)
        if result.is_valid:
            add_keys(result)
        return result

    def _issue(self, result: RowResult, key: str, value: str, code: str, **params) -> None:
        result.issues.append(make_issue(result.line, self.column_name(key), value, code, **params))

    def _clean(self, result, raw, key, cleaner):
        try:
            return cleaner(raw.get(key) or None)
        except InvalidValue:
            self._issue(result, key, raw[key], _CLEANER_CODES[cleaner])
            return None

    def _enterprise(self, result: RowResult, raw: dict) -> None:
        values = result.enterprise
        values["name"] = raw.get("name", "")
        if not values["name"] and not any(i["code"] == "too_long" for i in result.issues):
            self._issue(result, "name", "", "missing_name")
        values["neq"] = self._clean(result, raw, "neq", clean_neq)
        values["postal_code"] = self._clean(result, raw, "postal_code", clean_postal_code)
        values["website"] = self._clean(result, raw, "website", clean_url)
        values["city"] = raw.get("city") or None
        values["sector"] = raw.get("sector") or None
        values["sector_code"] = None
        if raw.get("sector_code"):
            # A partner's own word for the sector does not refuse the row: it is kept as the details.
            values["sector_code"] = self._sector(raw["sector_code"])
            if values["sector_code"] is None:
                self._issue(result, "sector_code", raw["sector_code"], "unknown_sector")
                values["sector"] = values["sector"] or raw["sector_code"]
        values["region_code"] = self._coded(result, raw, "region_code", self._region,
                                            "unknown_region", "missing_region")
        values["legal_form"] = self._coded(result, raw, "legal_form", self._legal_form,
                                           "unknown_legal_form", "missing_legal_form")
        employees = _SPACES.sub("", raw.get("employees", ""))
        values["employees"] = None
        if employees:
            if match := _WHOLE_NUMBER.fullmatch(employees):
                values["employees"] = int(match.group(1))
            else:
                self._issue(result, "employees", raw["employees"], "invalid_employees")

    def _coded(self, result, raw, key, lookup, unknown, missing):
        value = raw.get(key, "")
        if value:
            code = lookup(value)
            if code is None:
                self._issue(result, key, value, unknown)
            return code
        if self.defaults.get(key):
            result.defaulted.append(key)
            return self.defaults[key]
        self._issue(result, key, "", missing)
        return None

    def _email(self, value: str) -> str | None:
        if value not in self._emails:
            try:
                self._emails[value] = validate_email(value, check_deliverability=False).normalized
            except EmailNotValidError:
                self._emails[value] = None
        return self._emails[value]

    def _contact(self, result: RowResult, raw: dict) -> None:
        if not any(raw.get(key) for key in CONTACT_KEYS):
            return
        contact = {"first_name": raw.get("contact_first_name", ""), "last_name": raw.get("contact_last_name", ""),
                   "title": raw.get("contact_title") or None, "email": None, "preferred_language": "fr",
                   "email_consent": False}
        if not contact["first_name"] and not contact["last_name"]:
            self._issue(result, "contact_first_name" if "contact_first_name" in self.columns else "contact_last_name",
                        "", "missing_contact_name")
        if raw.get("contact_email"):
            contact["email"] = self._email(raw["contact_email"])
            if contact["email"] is None:
                self._issue(result, "contact_email", raw["contact_email"], "invalid_email")
        contact["phone"] = self._clean(result, raw, "contact_phone", clean_phone)
        language = raw.get("contact_language", "")
        if language:
            code = _LANGUAGES.get(self._fold(language))
            if code is None:
                self._issue(result, "contact_language", language, "unknown_language")
            contact["preferred_language"] = code or "fr"
        consent = self._fold(raw.get("contact_consent", ""))
        if consent in _YES:
            contact["email_consent"] = True
        elif consent and consent not in _NO:
            self._issue(result, "contact_consent", raw["contact_consent"], "invalid_consent")
        result.contact = contact
