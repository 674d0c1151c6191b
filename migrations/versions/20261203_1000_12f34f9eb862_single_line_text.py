"""One-line text cleaned in the rows already stored: no bidirectional controls, no line breaks

Names, cities, titles and places are now cleaned on the way in (crm.forms.Form refuses line breaks,
crm.db.SingleLineString cleans whatever else writes them). This cleans what was stored before, so that
no page, export, email or calendar shows a reversed name (U+202E) or breaks on a line break: the
bidirectional controls go, each run of line breaks and control characters becomes one space. An
enterprise whose name or city changes gets its folded keys (sorting, duplicate detection) again.
Nothing to undo: the downgrade leaves the cleaned text.

Revision ID: 12f34f9eb862
Revises: 0014
Create Date: 2026-12-03 10:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "12f34f9eb862"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = {
    "enterprises": ("name", "city", "sector"),
    "contacts": ("first_name", "last_name", "title", "consent_source"),
    "follow_up_tasks": ("title",),
    "cohorts": ("name", "place"),
    "sessions": ("title", "place"),
    "organizations": ("name",),
    "users": ("full_name",),
    "consent_events": ("source",),
    "import_batches": ("file_name",),
}

# Copied from crm.text (a migration never imports the application).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_BREAKS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_BREAK_RUNS = re.compile(f"[ {_BREAKS}]*[{_BREAKS}][ {_BREAKS}]*")
_NON_WORD = re.compile(r"[^a-z0-9@._+-]+")
_LEGAL_NOISE = frozenset({"inc", "ltee", "ltd", "enr", "coop", "cooperative", "la", "le", "les"})


def single_line(value):
    if not isinstance(value, str):
        return value
    return _BREAK_RUNS.sub(" ", _BIDI_CONTROLS.sub("", value))


def fold(value) -> str:
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", _BIDI_CONTROLS.sub("", value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())


def name_key(value) -> str:
    words = [w for w in fold(value).replace(".", " ").split() if w not in _LEGAL_NOISE]
    return " ".join(words) or fold(value)


def upgrade():
    bind = op.get_bind()
    for table, columns in COLUMNS.items():
        listed = ", ".join(columns)
        for row in bind.execute(sa.text(f"SELECT id, {listed} FROM {table}")).all():  # noqa: S608 - names above
            changed = {column: single_line(value) for column, value in zip(columns, row[1:], strict=True)
                       if single_line(value) != value}
            if not changed:
                continue
            if table == "enterprises" and {"name", "city"} & changed.keys():
                name = changed.get("name", row[1])
                city = changed.get("city", row[2])
                changed.update(name_key=name_key(name), city_key=fold(city))
            assignments = ", ".join(f"{column} = :{column}" for column in changed)
            bind.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"),  # noqa: S608
                         {**changed, "id": row[0]})


def downgrade():
    pass
