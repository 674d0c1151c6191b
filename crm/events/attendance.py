"""Who came: checked in at the door, or read from a webinar tool's attendance file (Zoom, Teams).

An enterprise whose person came reaches the awareness stage, once, whatever the number of events:
only an enterprise still at "identified" moves (a recorded stage change whose comment names the
event), so the dashboard's reach, which counts enterprises that ever reached awareness, goes up by
one per enterprise.
"""
import csv
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.enterprises.services import change_stage
from crm.events.models import Event, Registration
from crm.extensions import db
from crm.i18n import _l
from crm.text import fold

log = logging.getLogger(__name__)

# Stored data, in the programme's language: the stage change's comment names the event.
STAGE_COMMENT = "Événement « {title} »"
MAX_FILE_BYTES = 2 * 1000 * 1000
MAX_ROWS = 20_000

# Folded column names of the attendance exports (Zoom meetings and webinars, Microsoft Teams), in
# English and French.
EMAIL_COLUMNS = ("user email", "email", "e mail", "courriel", "adresse courriel", "adresse e mail",
                 "participant id (upn)", "email address")
NAME_COLUMNS = ("name (original name)", "user name (original name)", "name", "full name", "nom",
                "nom complet", "participant")
DURATION_COLUMNS = ("duration (minutes)", "time in session (minutes)", "in meeting duration", "duration",
                    "duree (minutes)", "duree", "duree de la reunion", "temps dans la session (minutes)")
ATTENDED_COLUMNS = ("attended", "present")
_DURATION_PART = re.compile(r"(\d+)\s*(h|hr|hrs|hour|hours|heures?|m|min|mins|minutes?|s|sec|secs|seconds?)\b")


@dataclass
class ImportResult:
    rows: int = 0
    marked: int = 0
    already: int = 0
    unknown: int = 0
    stages: int = 0


def move_to_awareness(event: Event, registration: Registration, *, actor) -> bool:
    """The registration's enterprise reaches awareness if it is still at "identified"."""
    if registration.enterprise_id is None:
        return False  # a manager decides its enterprise first (the matching queue)
    enterprise = db.session.get(Enterprise, registration.enterprise_id)
    if enterprise is None or enterprise.stage != "identified":
        return False
    change_stage(enterprise, "awareness", actor=actor, comment=STAGE_COMMENT.format(title=event.title))
    return True


def check_in(event: Event, registration: Registration, *, actor, now: datetime, source: str = "check_in",
             minutes: int | None = None) -> bool:
    """Mark the person as having come; returns whether their enterprise moved to awareness."""
    if registration.event_id != event.id or registration.status in ("cancelled", "unconfirmed"):
        raise DomainError(_l("Only people registered to this event can be checked in."))
    if registration.attended_at is None:
        registration.attended_at, registration.attendance_source = now, source
        registration.checked_in_by_id = getattr(actor, "id", None)
    if minutes is not None:
        registration.attended_minutes = max(minutes, registration.attended_minutes or 0)
    moved = move_to_awareness(event, registration, actor=actor)
    db.session.flush()
    log.info("event %s: registration %s came (%s), by user %s", event.id, registration.id, source,
             getattr(actor, "id", None))
    return moved


def undo_check_in(registration: Registration, *, actor) -> None:
    """A mistake at the door. A stage change it caused stays in the enterprise's history."""
    registration.attended_at = registration.attendance_source = registration.attended_minutes = None
    registration.checked_in_by_id = None
    db.session.flush()
    log.info("registration %s: check-in undone by user %s", registration.id, getattr(actor, "id", None))


# The attendance file --------------------------------------------------------------------------------

def decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _delimiter(line: str) -> str:
    return max(("\t", ",", ";"), key=line.count)


def _key(text: str) -> str:
    """A column name without case, accents, punctuation or hyphens: "Duration (Minutes)" → "duration minutes"."""
    return " ".join(fold(text).replace("-", " ").split())


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [_key(cell) for cell in header]
    for name in names:
        if _key(name) in folded:
            return folded.index(_key(name))
    return None


def minutes_of(text: str) -> int | None:
    """'45' (minutes), '1h 2m 3s', '45 min', '01:02:03' → whole minutes; None when unreadable."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return int(float(text.replace(",", ".")))
    if re.fullmatch(r"\d{1,3}:\d{2}(?::\d{2})?", text):
        parts = [int(p) for p in text.split(":")]
        return parts[0] * 60 + parts[1] if len(parts) == 3 else parts[0]
    total = 0.0
    found = False
    for number, unit in _DURATION_PART.findall(text):
        found = True
        total += int(number) * (60 if unit.startswith("h") else 1 if unit.startswith("m") else 1 / 60)
    return int(total) if found else None


def read_attendance(content: bytes) -> dict[str, int | None]:
    """{folded email: minutes (summed over the person's joins), or None without a duration column}.

    The exports have a summary above the participants (Teams: "1. Summary", "2. Participants"; Zoom
    webinars: the report's details): the header row is the first that names an email column, and the
    participants end at the first empty row after it."""
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(_l("The file is larger than 2 MB: is it an attendance file?"), field="file")
    # NUL characters stop Python's csv reader: nobody types them, a broken export may hold some.
    lines = decode(content).replace("\x00", "").splitlines()
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        delimiter = _delimiter(line)
        try:
            header = next(csv.reader([line], delimiter=delimiter))
        except csv.Error:
            continue
        email_at = _find(header, EMAIL_COLUMNS)
        if email_at is not None:
            return _participants(lines[number + 1:], header, email_at, delimiter)
    raise DomainError(_l("No column of email addresses was found: export the attendance list with the "
                         "participants' emails."), field="file")


def _participants(lines: list[str], header: list[str], email_at: int, delimiter: str) -> dict:
    try:
        return _read_participants(lines, header, email_at, delimiter)
    except csv.Error:  # a cell longer than the csv module's limit, a quote never closed…
        raise DomainError(_l("This file could not be read as CSV: export the attendance list again."),
                          field="file") from None


def _read_participants(lines: list[str], header: list[str], email_at: int, delimiter: str) -> dict:
    duration_at = _find(header, DURATION_COLUMNS)
    attended_at = _find(header, ATTENDED_COLUMNS)
    people: dict[str, int | None] = {}
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    for count, row in enumerate(reader):
        if count >= MAX_ROWS:
            raise DomainError(_l("The file has too many rows for an attendance list."), field="file")
        if not any(cell.strip() for cell in row):
            break
        if len(row) <= email_at or "@" not in row[email_at]:
            continue
        if attended_at is not None and len(row) > attended_at and fold(row[attended_at]) in ("no", "non"):
            continue
        email = row[email_at].strip().casefold()
        minutes = minutes_of(row[duration_at]) if duration_at is not None and len(row) > duration_at else None
        if email in people and people[email] is not None and minutes is not None:
            people[email] += minutes
        else:
            people.setdefault(email, minutes)
    return people


def import_attendance(event: Event, content: bytes, *, actor, now: datetime) -> ImportResult:
    people = read_attendance(content)
    result = ImportResult(rows=len(people))
    registered = {r.email_key: r for r in db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(("confirmed", "waiting")),
        Registration.email_key.in_(list(people))))}
    for email, minutes in people.items():
        registration = registered.get(email)
        if registration is None:
            result.unknown += 1
            continue
        if registration.attended_at is not None:
            result.already += 1
        else:
            result.marked += 1
        result.stages += check_in(event, registration, actor=actor, now=now, source="import", minutes=minutes)
    log.info("event %s: attendance file of %s people, %s marked, %s unknown, by user %s", event.id, result.rows,
             result.marked, result.unknown, getattr(actor, "id", None))
    return result
