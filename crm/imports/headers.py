"""The header row of a partner's file: where it is, how it is recognized next month, and what
its mapping would silently lose."""
import hashlib
import re

from crm.i18n import _, _l
from crm.imports.parsing import HEADER_SEARCH_ROWS, Sheet, header_key
from crm.imports.validation import FIELDS, guess_mapping

# i18n: the last column of the report of rows to fix; ignored when the fixed file comes back.
REPORT_COLUMN = _l("Problem to fix")
REPORT_COLUMN_KEYS = frozenset({"problem to fix", "probleme a corriger"})
# Headers that hold a contact's last name when a first-name column is beside them.
LAST_NAME_KEYS = frozenset({header_key(a) for a in FIELDS["contact_last_name"].aliases} | {"nom", "name"})
_VALUE_LIKE = re.compile(r"[\d\s.,:;/()+-]+|.*@.*")


def significant(headers: list[str]) -> list[str]:
    """The headers without the report's problem column, which a fixed report brings back."""
    headers = list(headers)
    if headers and header_key(headers[-1]) in REPORT_COLUMN_KEYS:
        headers.pop()
    return headers


def headers_key(headers: list[str]) -> str:
    """The same for « Nom de l'entreprise » and "NOM DE L’ENTREPRISE", in the same order."""
    folded = "\x1f".join(header_key(h) for h in significant(headers))
    return hashlib.sha256(folded.encode()).hexdigest()


def candidate_rows(sheet: Sheet) -> list[tuple[int, list[str]]]:
    """The rows that may hold the column names: the first ones of the file."""
    return sheet.rows[:HEADER_SEARCH_ROWS]


def find_header_line(sheet: Sheet, known_keys=frozenset()) -> int:
    """The first row that looks like column names: one whose names the organization saved, else
    one with two names Virage knows, else the first row of several text cells about as wide as
    the list (a title or a note above it is one cell)."""
    rows = candidate_rows(sheet)
    for line, cells in rows:
        if headers_key(cells) in known_keys:
            return line
    for line, cells in rows:
        if len(guess_mapping(cells)) >= 2:
            return line
    widest = max(sum(1 for c in cells if c) for _line, cells in rows)
    for line, cells in rows:
        filled = [c for c in cells if c]
        if (len(filled) >= 2 and 2 * len(filled) >= widest and len(set(filled)) == len(filled)
                and not any(_VALUE_LIKE.fullmatch(c) for c in filled)):
            return line
    return rows[0][0]


def mapping_warnings(headers: list[str], mapping: dict[str, str]) -> list[str]:
    """What the mapping would lose without an error: contacts without their last name."""
    fields = set(mapping.values())
    if "contact_first_name" not in fields or "contact_last_name" in fields:
        return []
    unmapped = [h for i, h in enumerate(headers) if str(i) not in mapping and header_key(h) in LAST_NAME_KEYS]
    if unmapped:
        return [_("The column « %(column)s » is not imported, while contacts have a first name: they would be "
                  "created without their last name. If it holds their last name, choose « %(field)s » for it.",
                  column=unmapped[0], field=FIELDS["contact_last_name"].label)]
    return [_("No column is chosen for the contacts' last name: they would be created with their first "
              "name only.")]
