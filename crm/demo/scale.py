"""``flask crm seed-scale --factor N``: Québec-scale data for benchmarks (bench/README.md).

At factor 1: 11,200 enterprises spread over the 17 regions like ``REGION_WEIGHTS``, 3 contacts
each, 30 organizations, 150 coaches (and a manager per organization), 400 cohorts, 8,000 sessions,
60,000 timeline entries, attendance, and stage histories behind a plausible funnel (about 12 %
of enterprises reached). Reproducible: one fixed random seed. Rows are inserted in bulk
(``insert(table)`` with chunks of a few thousand dictionaries), never one ORM object per row, so
factor 10 (112,000 enterprises) runs in minutes on SQLite and PostgreSQL.

The generator refuses to run on a database that already holds enterprises; run it on an empty,
migrated database, then ``flask crm seed-demo`` if the demo cohorts are wanted too. It creates the
demo logins of ``seed-demo`` and a benchmark-only admin whose two-factor secret is published
(``BENCH_ADMIN_EMAIL``/``BENCH_TOTP_SECRET``): never run it against a real database.
"""
import base64
import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import bindparam, func, insert, select, text

from crm.auth.models import User
from crm.cohorts.models import (
    Attendance,
    Cohort,
    CohortMembership,
    ProgrammeSession,
    attendance_contacts,
    cohort_facilitators,
)
from crm.contacts.models import Contact
from crm.demo import data
from crm.demo.scale_outcomes import seed_outcomes
from crm.demo.scale_surveys import seed_surveys
from crm.demo.seed import _ensure_organizations, _ensure_users
from crm.enterprises.models import Activity, DiagnosticScore, DigitalDiagnostic, Enterprise, StageChange
from crm.enterprises.services import refresh_keys
from crm.extensions import db
from crm.organizations.models import Organization
from crm.outcomes.models import DigitalPlan, DigitalProject
from crm.reference import REGION_WEIGHTS

SEED = 20261126
CHUNK = 4000
BASE = {"enterprises": 11_200, "cohorts": 400, "sessions": 8_000, "activities": 60_000, "coaches": 150}
CONTACTS_PER_ENTERPRISE = 3
ORGANIZATION_COUNT = 30

BENCH_ADMIN_EMAIL = "bench.admin@virage.example"
# Benchmark-only, published on purpose so that bench/run.py can complete the admin's 2FA sign-in.
BENCH_TOTP_SECRET = base64.b32encode(b"virage-bench-admin-2fa!!").decode()

# Extra organizations so that there are 30 in all (regional hubs of regions without one, and more).
EXTRA_ORGANIZATIONS = [
    ("pole-10", "Pôle d'économie sociale du Nord-du-Québec", "regional", "10"),
    ("pole-14-sud", "Pôle d'économie sociale du sud de Lanaudière", "regional", "14"),
    ("cdec-06-est", "CDEC de l'est de Montréal", "regional", "06"),
    ("cdec-06-ouest", "CDEC de l'ouest de Montréal", "regional", "06"),
    ("pole-16-rive-sud", "Pôle d'économie sociale de la Montérégie-Est", "regional", "16"),
    ("pole-12-beauce", "Pôle d'économie sociale de Beauce-Etchemins", "regional", "12"),
    ("pole-02-lac", "Pôle d'économie sociale du Lac-Saint-Jean", "regional", "02"),
    ("reseau-coop-travail", "Réseau de la coopération du travail du Québec", "national", None),
    ("fcsq", "Fédération des coopératives de services du Québec", "national", None),
]

# The funnel of reached enterprises (the rest, about 88 %, stay identified).
REACHED_SHARE = 0.12
STAGE_PATHS = [
    (["awareness"], 42), (["awareness", "training"], 20),
    (["awareness", "training", "coaching_individual"], 10),
    (["awareness", "coaching_collective"], 9),
    (["awareness", "training", "coaching_collective", "completed"], 7),
    (["awareness", "training", "coaching_individual", "completed"], 5),
    (["awareness", "withdrawn"], 7),
]
ACTIVITY_BODIES = {
    "call": ["Appel de suivi : priorités numériques revues.", "Appel : la direction confirme sa participation."],
    "meeting": ["Rencontre avec la direction : plan d'action numérique.", "Atelier sur le site transactionnel."],
    "email": ["Envoi de la documentation sur le diagnostic.", "Courriel de rappel pour la prochaine séance."],
    "note": ["Le conseil d'administration appuie la démarche.", "Besoin de formation sur la gestion des membres."],
}


@dataclass
class Counts:
    enterprises: int
    contacts: int
    organizations: int
    coaches: int
    cohorts: int
    sessions: int
    activities: int

    @classmethod
    def at(cls, factor: float) -> "Counts":
        n = max(1, round(BASE["enterprises"] * factor))
        return cls(enterprises=n, contacts=n * CONTACTS_PER_ENTERPRISE, organizations=ORGANIZATION_COUNT,
                   coaches=max(ORGANIZATION_COUNT + 12, round(BASE["coaches"] * factor)),
                   cohorts=max(2, round(BASE["cohorts"] * factor)),
                   sessions=max(4, round(BASE["sessions"] * factor)),
                   activities=round(BASE["activities"] * factor))


class ScaleDataExists(Exception):
    """The database already holds enterprises: seed-scale only fills an empty database."""


def seed_scale(factor: float, progress=None, *, extend: bool = False) -> Counts:
    """Fill an empty database at the given scale; ``progress(n)`` is called as rows are inserted.

    ``extend=True`` adds a further batch to existing data (tests grow a database this way).
    """
    if factor <= 0:
        raise ValueError("factor must be positive")
    existing = db.session.scalar(select(func.count()).select_from(Enterprise))
    if existing and not extend:
        raise ScaleDataExists()
    progress = progress or (lambda n: None)
    rng = random.Random(SEED + existing)  # noqa: S311 - benchmark data, not security
    counts = Counts.at(factor)
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    organizations = _organizations()
    staff = _staff(organizations, counts.coaches, rng, now)
    enterprises = _enterprises(counts, organizations, staff, rng, now, progress)
    _activities(counts, enterprises, rng, now, progress)
    _cohorts(counts, organizations, staff, enterprises, rng, now, progress)
    seed_outcomes(enterprises, rng, now, progress)
    seed_surveys(rng, now, progress)
    _reset_sequences()
    # Committed before the statistics: VACUUM runs outside any transaction, on rows already written.
    db.session.commit()
    _analyze()
    return counts


def _analyze() -> None:
    """Fresh planner statistics: without them PostgreSQL plans a bulk-loaded table as if empty."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def expected_rows(factor: float) -> int:
    """Rough number of rows the progress bar counts (enterprises, contacts, activities, sessions)."""
    counts = Counts.at(factor)
    return counts.enterprises + counts.contacts + counts.activities + counts.sessions


# --- organizations and people ---------------------------------------------------------------


def _organizations() -> list[Organization]:
    by_code = _ensure_organizations()
    for code, name, kind, region in EXTRA_ORGANIZATIONS:
        if code not in by_code:
            by_code[code] = Organization(code=code, name=name, kind=kind, region_code=region)
            db.session.add(by_code[code])
    db.session.flush()
    return sorted(by_code.values(), key=lambda o: o.id)


def _staff(organizations, coach_count, rng, now) -> dict:
    """Demo logins, the bench admin, a manager per organization and coaches spread over them."""
    by_code = {o.code: o for o in organizations}
    demo_users = _ensure_users(by_code)
    password_hash = demo_users[0].password_hash  # every generated person shares the demo password
    admin = db.session.scalar(select(User).where(User.email == BENCH_ADMIN_EMAIL))
    if admin is None:
        db.session.add(User(email=BENCH_ADMIN_EMAIL, full_name="Banc d'essai Administration", role="admin",
                            organization_id=by_code["cqcm"].id, password_hash=password_hash, locale="fr",
                            totp_secret=BENCH_TOTP_SECRET, totp_enabled_at=now))
    coaches = {o.id: [u.id for u in demo_users if u.role == "coach" and u.organization_id == o.id]
               for o in organizations}
    rows = []
    managed = set(db.session.scalars(select(User.organization_id).where(User.role == "manager")))
    for organization in organizations:
        if organization.id not in managed:
            rows.append(_person(f"gestion.{organization.code}", "manager", organization, password_hash, rng))
    generated = db.session.scalar(select(func.count()).select_from(User).where(User.email.like("conseil.%")))
    existing = sum(len(ids) for ids in coaches.values()) + generated
    # Bigger organizations (national partners, Montréal) employ more coaches.
    weights = [3 if o.kind == "national" or o.region_code in ("06", "16", "03") else 1 for o in organizations]
    # Every organization gets a coach first, then the bigger ones get more.
    without = [o for o in organizations if not coaches[o.id]] if not generated else []
    for index in range(max(0, coach_count - existing)):
        organization = without[index] if index < len(without) else rng.choices(organizations, weights)[0]
        rows.append(_person(f"conseil.{generated + index + 1:04d}", "coach", organization, password_hash, rng))
    if rows:
        db.session.execute(insert(User.__table__), rows)
    for user_id, organization_id in db.session.execute(
            select(User.id, User.organization_id).where(User.role == "coach", User.email.like("conseil.%"))):
        coaches[organization_id].append(user_id)
    db.session.flush()
    return {"coaches": coaches, "all_coaches": sorted(i for ids in coaches.values() for i in ids)}


def _person(local, role, organization, password_hash, rng) -> dict:
    first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
    now = datetime.now(UTC).replace(tzinfo=None)
    return {"email": f"{local}@virage.example", "full_name": f"{first} {last}", "role": role,
            "organization_id": organization.id, "password_hash": password_hash, "is_active": True,
            "locale": "fr", "session_version": 1, "created_at": now, "updated_at": now}


# --- enterprises, contacts, stage histories --------------------------------------------------


def _owner(region, organizations, rng):
    hubs = [o for o in organizations if o.region_code == region]
    nationals = [o for o in organizations if o.kind == "national"]
    return rng.choice(hubs) if hubs and rng.random() < 0.75 else rng.choice(nationals)


def _next_id(table) -> int:
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def _enterprises(counts, organizations, staff, rng, now, progress) -> list:
    regions, region_weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
    forms = list(data.NAME_STARTS)
    paths, path_weights = zip(*STAGE_PATHS, strict=True)
    first_enterprise, first_contact = _next_id(Enterprise.__table__), _next_id(Contact.__table__)
    first_change = _next_id(StageChange.__table__)
    enterprises, batch, contacts, changes = [], [], [], []
    change_count = 0
    for index in range(counts.enterprises):
        enterprise_id = first_enterprise + index
        region = rng.choices(regions, region_weights)[0]
        legal_form = rng.choices(forms, [75, 6, 2, 4, 5, 5, 1, 2])[0]
        owner = _owner(region, organizations, rng)
        owner_coaches = staff["coaches"].get(owner.id)
        coach_id = rng.choice(owner_coaches) if owner_coaches and rng.random() < 0.8 else None
        name = f"{rng.choice(data.NAME_STARTS[legal_form])} {rng.choice(data.NAME_ENDS)} {enterprise_id}"
        created_at = now - timedelta(days=rng.randint(30, 900), minutes=rng.randint(0, 1440))
        path = rng.choices(paths, path_weights)[0] if rng.random() < REACHED_SHARE else []
        row = {
            "id": enterprise_id, "name": name, "legal_form": legal_form, "region_code": region,
            "city": rng.choice(data.CITIES[region]),
            "neq": f"88{(enterprise_id * 7919) % 10**8:08d}" if rng.random() < 0.8 else None,
            "postal_code": (f"{data.POSTAL_PREFIX[region]} {rng.randint(1, 9)}"
                            f"{rng.choice('ABCEGHJ')}{rng.randint(0, 9)}"),
            **dict(zip(("sector_code", "sector"), rng.choice(data.SECTORS), strict=True)),
            "employees": rng.randint(1, 120),
            "website": None, "organization_id": owner.id, "coach_id": coach_id,
            "preferred_language": "en" if rng.random() < 0.1 else "fr", "archived_at": None,
            "last_activity_at": None, "version": 1, "created_at": created_at, "updated_at": created_at,
        }
        people = []
        for position in range(CONTACTS_PER_ENTERPRISE):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            consent = rng.random() < 0.85
            people.append({
                "id": first_contact + index * CONTACTS_PER_ENTERPRISE + position, "enterprise_id": enterprise_id,
                "first_name": first, "last_name": last, "title": rng.choice(data.TITLES),
                "email": f"{first}.{last}.{enterprise_id}@entreprise.example".lower().replace(" ", ""),
                "phone": f"+1 {rng.choice(['418', '514', '819', '450', '581'])}-555-{rng.randint(1000, 9999)}",
                "preferred_language": row["preferred_language"], "email_consent": consent,
                "consent_at": created_at if consent else None,
                "consent_source": "Formulaire d'inscription" if consent else None,
                "consent_recorded_by_id": None, "archived_at": None, "anonymized_at": None, "version": 1,
                "created_at": created_at, "updated_at": created_at,
            })
        _fill_keys(row, people)
        stage, when = "identified", created_at
        for to_stage in path:
            when = min(when + timedelta(days=rng.randint(10, 60), minutes=rng.randint(0, 600)),
                       now - timedelta(hours=1))
            changes.append({
                "id": first_change + change_count, "enterprise_id": enterprise_id, "from_stage": stage,
                "to_stage": to_stage, "changed_at": when, "changed_by_id": coach_id, "organization_id": owner.id,
                "comment": "Retrait : manque de temps cette année." if to_stage == "withdrawn" else None,
            })
            stage = to_stage
            change_count += 1
        row["stage"] = stage
        batch.append(row)
        contacts.extend(people)
        enterprises.append(SimpleNamespace(id=enterprise_id, region=region, organization_id=owner.id,
                                           coach_id=coach_id, stage=stage, created_at=created_at,
                                           first_contact=people[0]["id"], last_activity=None))
        if len(batch) >= CHUNK:
            _flush_enterprises(batch, contacts, changes, progress)
            batch, contacts = [], []
    _flush_enterprises(batch, contacts, changes, progress)
    return enterprises


def _fill_keys(row, people) -> None:
    shell = SimpleNamespace(name=row["name"], neq=row["neq"], city=row["city"])
    refresh_keys(shell, [SimpleNamespace(**p) for p in people])
    row.update(name_key=shell.name_key, city_key=shell.city_key, search_text=shell.search_text)


def _flush_enterprises(batch, contacts, changes, progress) -> None:
    if batch:
        db.session.execute(insert(Enterprise.__table__), batch)
        db.session.execute(insert(Contact.__table__), contacts)
        progress(len(batch) + len(contacts))
    if changes:
        db.session.execute(insert(StageChange.__table__), changes)
        changes.clear()


# --- timeline ---------------------------------------------------------------------------------


def _activities(counts, enterprises, rng, now, progress) -> None:
    """Timeline entries, mostly on reached enterprises; sets ``last_activity_at``."""
    reached = [e for e in enterprises if e.stage != "identified"]
    kinds = list(ACTIVITY_BODIES)
    first = _next_id(Activity.__table__)
    rows = []
    for index in range(counts.activities):
        pool = reached if reached and rng.random() < 0.7 else enterprises
        enterprise = rng.choice(pool)
        kind = rng.choices(kinds, [30, 25, 30, 15])[0]
        span = max(1, (now - enterprise.created_at).days)
        occurred = (enterprise.created_at + timedelta(days=rng.randint(0, span))).date()
        coaching = kind in ("call", "meeting") and rng.random() < 0.6
        rows.append({"id": first + index, "enterprise_id": enterprise.id, "kind": kind, "occurred_on": occurred,
                     "is_coaching": coaching, "duration_minutes": rng.choice([30, 45, 60, 90]) if coaching else None,
                     "body": rng.choice(ACTIVITY_BODIES[kind]), "author_id": enterprise.coach_id,
                     "created_at": datetime.combine(occurred, time(15))})
        if enterprise.last_activity is None or occurred > enterprise.last_activity:
            enterprise.last_activity = occurred
        if len(rows) >= CHUNK:
            db.session.execute(insert(Activity.__table__), rows)
            progress(len(rows))
            rows = []
    if rows:
        db.session.execute(insert(Activity.__table__), rows)
        progress(len(rows))
    touched = [{"b_id": e.id, "b_at": datetime.combine(e.last_activity, time(15))}
               for e in enterprises if e.last_activity]
    statement = (Enterprise.__table__.update().where(Enterprise.__table__.c.id == _bind("b_id"))
                 .values(last_activity_at=_bind("b_at")))
    for start in range(0, len(touched), CHUNK):
        db.session.connection().execute(statement, touched[start:start + CHUNK])


def _bind(name):
    return bindparam(name)


# --- cohorts, sessions, attendance ---------------------------------------------------------------


def _cohorts(counts, organizations, staff, enterprises, rng, now, progress) -> None:
    today = now.date()
    by_org = {}
    for enterprise in enterprises:
        if enterprise.stage in ("training", "coaching_collective", "coaching_individual", "completed"):
            by_org.setdefault(enterprise.organization_id, []).append(enterprise)
    candidates = [e for e in enterprises if e.stage != "identified"] or enterprises
    first_cohort, first_membership = _next_id(Cohort.__table__), _next_id(CohortMembership.__table__)
    first_session, first_attendance = _next_id(ProgrammeSession.__table__), _next_id(Attendance.__table__)
    cohorts, facilitators, memberships, members_of = [], [], [], {}
    weights = [3 if o.kind == "national" or o.region_code in ("06", "16", "03") else 1 for o in organizations]
    for index in range(counts.cohorts):
        organization = rng.choices(organizations, weights)[0]
        kind = rng.choice(["training", "coaching_collective"])
        start = today + timedelta(days=rng.randint(-700, 150))
        end = start + timedelta(days=rng.randint(30, 150))
        status = "planned" if start > today else ("finished" if end < today else "running")
        cohort_id = first_cohort + index
        region = organization.region_code or rng.choice(list(REGION_WEIGHTS))
        created = datetime.combine(start - timedelta(days=30), time(14))
        cohorts.append({
            "id": cohort_id, "name": f"{'Formation' if kind == 'training' else 'Accompagnement collectif'} "
                                     f"numérique n° {index + 1}",
            "kind": kind, "organization_id": organization.id, "start_date": start, "end_date": end,
            "capacity": rng.randint(8, 16), "mode": rng.choice(["in_person", "virtual", "hybrid"]),
            "place": rng.choice(data.CITIES[region]), "region_code": region, "status": status,
            "description": None, "created_at": created, "updated_at": created,
        })
        coaches = staff["coaches"].get(organization.id, [])
        for user_id in rng.sample(coaches, min(len(coaches), rng.choice([1, 1, 2]))):
            facilitators.append({"cohort_id": cohort_id, "user_id": user_id})
        pool = by_org.get(organization.id) or candidates
        chosen = rng.sample(pool, min(len(pool), rng.randint(5, 12)))
        members_of[cohort_id] = chosen
        for enterprise in chosen:
            memberships.append({"id": first_membership + len(memberships), "cohort_id": cohort_id,
                                "enterprise_id": enterprise.id, "joined_on": start, "left_on": None,
                                "added_by_id": None, "created_at": created})
    db.session.execute(insert(Cohort.__table__), cohorts)
    db.session.execute(insert(cohort_facilitators), facilitators)
    for start in range(0, len(memberships), CHUNK):
        db.session.execute(insert(CohortMembership.__table__), memberships[start:start + CHUNK])

    individual = [e for e in enterprises if e.stage in ("coaching_individual", "completed")] or candidates
    sessions, attendances, present_contacts = [], [], []
    next_attendance = itertools.count(first_attendance)
    cohort_share = 0.75
    for index in range(counts.sessions):
        session_id = first_session + index
        if rng.random() < cohort_share:
            cohort = rng.choice(cohorts)
            span = max(1, (cohort["end_date"] - cohort["start_date"]).days)
            day = cohort["start_date"] + timedelta(days=rng.randint(0, span))
            owner = {"cohort_id": cohort["id"], "enterprise_id": None, "organization_id": cohort["organization_id"],
                     "title": f"Séance — {cohort['name']}", "mode": cohort["mode"]}
            coaches = staff["coaches"].get(cohort["organization_id"]) or [None]
        else:
            enterprise = rng.choice(individual)
            day = today + timedelta(days=rng.randint(-400, 60))
            owner = {"cohort_id": None, "enterprise_id": enterprise.id,
                     "organization_id": enterprise.organization_id,
                     "title": "Accompagnement individuel", "mode": rng.choice(["in_person", "virtual"])}
            coaches = [enterprise.coach_id]
        starts = datetime.combine(day, time(rng.choice([13, 14, 15, 17, 18])))  # 9:00-14:00 in Montréal
        minutes = rng.choice([60, 90, 120, 180])
        cancelled = rng.random() < 0.05
        past = day < today
        sessions.append({
            **owner, "id": session_id, "uid": f"scale-{session_id}@virage", "sequence": 0,
            "status": "cancelled" if cancelled else "scheduled", "starts_at": starts,
            "ends_at": starts + timedelta(minutes=minutes), "duration_minutes": minutes,
            "place": None, "meeting_url": None, "facilitator_id": rng.choice(coaches), "agenda": None,
            "cancelled_at": starts - timedelta(days=2) if cancelled else None,
            "attendance_taken_at": starts + timedelta(hours=4) if past and not cancelled else None,
            "created_by_id": None, "created_at": starts - timedelta(days=20), "updated_at": starts - timedelta(days=20),
        })
        if past and not cancelled:
            attendees = members_of[owner["cohort_id"]] if owner["cohort_id"] else [enterprise]
            for member in attendees:
                status = rng.choices(["present", "absent", "excused"], [80, 14, 6])[0]
                attendance_id = next(next_attendance)
                attendances.append({"id": attendance_id, "session_id": session_id, "enterprise_id": member.id,
                                    "status": status, "recorded_by_id": None,
                                    "recorded_at": starts + timedelta(hours=4)})
                if status == "present":
                    present_contacts.append({"attendance_id": attendance_id, "contact_id": member.first_contact})
        if len(sessions) >= CHUNK:
            _flush_sessions(sessions, attendances, present_contacts, progress)
    _flush_sessions(sessions, attendances, present_contacts, progress)


def _flush_sessions(sessions, attendances, present_contacts, progress) -> None:
    if sessions:
        db.session.execute(insert(ProgrammeSession.__table__), sessions)
        progress(len(sessions))
    for start in range(0, len(attendances), CHUNK):
        db.session.execute(insert(Attendance.__table__), attendances[start:start + CHUNK])
    for start in range(0, len(present_contacts), CHUNK):
        db.session.execute(insert(attendance_contacts), present_contacts[start:start + CHUNK])
    sessions.clear()
    attendances.clear()
    present_contacts.clear()


def _reset_sequences() -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (Enterprise, Contact, StageChange, Activity, Cohort, CohortMembership, ProgrammeSession, Attendance,
                  DigitalDiagnostic, DiagnosticScore, DigitalPlan, DigitalProject):
        table = model.__table__
        highest = select(func.coalesce(func.max(table.c.id), 1)).scalar_subquery()
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))
