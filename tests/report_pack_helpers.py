"""A hand-built programme for the report pack's tests: every indicator is known in advance.

Organization H is a regional hub (Estrie, 05), N a national partner. Fiscal year 2026-2027 runs from
2026-04-01 04:00 UTC to 2027-04-01 04:00 UTC (Québec midnights, daylight time both); daylight time
ends on 2026-11-01 at 2:00, so Québec's midnight of 2026-11-02 is 05:00 UTC.

    E1  H  05 personal_services obnl     identified 2026-03-01, awareness 2026-04-01 04:30 UTC (00:30 in
                                         Québec: FY 2026-27), training 06-01, awareness 06-15 (back),
                                         training 07-01 (twice: counts once), coaching_collective
                                         2027-04-01 03:30 UTC (March 31, 23:30 in Québec: FY 2026-27)
    E2  H  05 agrifood          coop_work awareness 2026-04-01 03:30 UTC (March 31, 23:30: FY 2025-26),
                                         training 2027-04-01 04:30 UTC (FY 2027-28)
    E3  N  06 (no sector)       obnl     awareness 2026-11-01 03:30 UTC (Oct. 31, 23:30, daylight time),
                                         coaching_individual 2026-11-02 05:30 UTC (00:30, standard time)
    E4  N  06 personal_services coop_solidarity  identified 2026-05-01, training 2026-11-02 04:30 UTC
                                         (Nov. 1, 23:30 in Québec, standard time)

Sessions (all of FY 2026-27 but S4): S1 a cohort's (E1 and E3 members) on 2026-05-05, E1 present with
C1 and C2, E3 present with C3; S2 the cohort's on 2026-09-09, E1 present with C1 (again: counts once);
S3 E3's individual coaching on 2026-10-10, 90 minutes, present; S4 a session of 2026-03-15 (FY
2025-26), E2 present with C4. Timeline: E1 coaching 30 minutes on 2026-04-01, 60 on 2026-03-31.

Diagnostics (strategy, data, skills, cybersecurity): E1 2026-02-01 (1, 2, –), 2026-06-01 (3, 2, 4):
gains strategy +2, data 0. E3 2026-05-01 strategy 2, 2026-08-01 (5, cyber 3), 2026-09-01 (3, cyber 1):
strategy +1 (first to latest). E2 2025-05-01 and 2025-09-01 (FY 2025-26). E4 one, 2026-06-01.

Plans and projects: E1 plans 2026-04-01 and 2026-08-01, a project carried out 2026-10-01 (1 234 567 $
invested, 500 000 $ public funding, 3 jobs created, 5 maintained). E2 a plan 2026-05-01, a project
abandoned, one carried out 2027-04-01 (after FY 2026-27; 1 000 $). E3 a plan 2026-01-10 (FY 2025-26),
a project carried out 2026-12-01 (10 000 $, 1 job created).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime

from crm.cohorts.models import Attendance, Cohort, CohortMembership, ProgrammeSession
from crm.contacts.models import Contact
from crm.enterprises.models import Activity, DiagnosticScore, DigitalDiagnostic
from crm.extensions import db
from crm.outcomes.models import DigitalPlan, DigitalProject
from tests.reports_helpers import add_enterprise


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


JOURNEYS = {
    "E1": ("H", "05", "obnl", "personal_services", [
        ("identified", utc(2026, 3, 1, 15)), ("awareness", utc(2026, 4, 1, 4, 30)),
        ("training", utc(2026, 6, 1, 15)), ("awareness", utc(2026, 6, 15, 15)),
        ("training", utc(2026, 7, 1, 15)), ("coaching_collective", utc(2027, 4, 1, 3, 30))]),
    "E2": ("H", "05", "coop_work", "agrifood", [
        ("identified", utc(2026, 2, 1, 15)), ("awareness", utc(2026, 4, 1, 3, 30)),
        ("training", utc(2027, 4, 1, 4, 30))]),
    "E3": ("N", "06", "obnl", None, [
        ("identified", utc(2026, 1, 5, 15)), ("awareness", utc(2026, 11, 1, 3, 30)),
        ("coaching_individual", utc(2026, 11, 2, 5, 30))]),
    "E4": ("N", "06", "coop_solidarity", "personal_services", [
        ("identified", utc(2026, 5, 1, 15)), ("training", utc(2026, 11, 2, 4, 30))]),
}

# FY 2026-2027, as the pack must count it.
EXPECTED_FY_2026 = {
    "made_aware": 2, "trained": 2, "coached": 2, "people": 3, "coaching_hours": 2.0, "sessions_held": 3,
    "diagnosed_twice": 2, "gain_strategy": 1.5, "gain_data": 0.0, "gain_skills": None,
    "gain_cybersecurity": None, "plans": 3, "projects": 2, "conversion": 0.5, "invested": 1_244_567,
    "funding": 500_000, "jobs_created": 4, "jobs_maintained": 5,
}


@dataclass
class PackWorld:
    hub: object
    national: object
    admin: object
    manager_hub: object
    ids: dict


def _contact(enterprise_id, name) -> Contact:
    contact = Contact(enterprise_id=enterprise_id, first_name=name, last_name="Test")
    db.session.add(contact)
    return contact


def _session(organization_id, starts_at, minutes, *, cohort=None, enterprise_id=None) -> ProgrammeSession:
    session = ProgrammeSession(cohort=cohort, enterprise_id=enterprise_id, organization_id=organization_id,
                               title="Séance", starts_at=starts_at,
                               ends_at=starts_at.replace(hour=starts_at.hour + minutes // 60 + 1),
                               duration_minutes=minutes)
    db.session.add(session)
    return session


def _present(session, enterprise_id, *contacts) -> None:
    db.session.add(Attendance(session=session, enterprise_id=enterprise_id, status="present", contacts=list(contacts)))


def _diagnostic(enterprise_id, day, **scores) -> None:
    diagnostic = DigitalDiagnostic(enterprise_id=enterprise_id, performed_on=day, tool="audit_industrie_40",
                                   maturity_level=2,
                                   scores=[DiagnosticScore(dimension=k, score=v) for k, v in scores.items()])
    db.session.add(diagnostic)


def _project(enterprise_id, status, completed_on=None, **figures) -> None:
    db.session.add(DigitalProject(enterprise_id=enterprise_id, title="Projet", category="other", status=status,
                                  completed_on=completed_on, **figures))


def build_pack_world(app, make, tag: str = "") -> PackWorld:
    """The programme above; ``tag`` names a second copy of it (query-count tests)."""
    hub = make.organization(name=f"Pôle de l'Estrie{tag}", kind="regional", region_code="05")
    national = make.organization(name=f"Partenaire national{tag}", kind="national")
    admin = make.user(role="admin", organization=national, locale="fr")
    manager_hub = make.user(role="manager", organization=hub, locale="fr")
    owners = {"H": hub.id, "N": national.id}
    ids = {}
    with app.app_context():
        for key, (owner, region, legal_form, sector, journey) in JOURNEYS.items():
            enterprise = add_enterprise(owners[owner], region, legal_form, journey, name=f"Entreprise {key}{tag}",
                                        sector_code=sector)
            ids[key] = enterprise.id
        e1, e2, e3, e4 = (ids[k] for k in ("E1", "E2", "E3", "E4"))
        c1, c2, c3, c4 = _contact(e1, "C1"), _contact(e1, "C2"), _contact(e3, "C3"), _contact(e2, "C4")
        cohort = Cohort(name="Cohorte", kind="training", organization_id=hub.id, start_date=date(2026, 3, 1),
                        end_date=date(2026, 12, 1), capacity=10)
        db.session.add(cohort)
        for enterprise_id in (e1, e3, e2):
            db.session.add(CohortMembership(cohort=cohort, enterprise_id=enterprise_id, joined_on=date(2026, 3, 1)))
        s1 = _session(hub.id, utc(2026, 5, 5, 14), 120, cohort=cohort)
        _present(s1, e1, c1, c2)
        _present(s1, e3, c3)
        s2 = _session(hub.id, utc(2026, 9, 9, 14), 120, cohort=cohort)
        _present(s2, e1, c1)
        s3 = _session(national.id, utc(2026, 10, 10, 14), 90, enterprise_id=e3)
        _present(s3, e3, c3)
        s4 = _session(hub.id, utc(2026, 3, 15, 14), 60, cohort=cohort)
        _present(s4, e2, c4)
        for day, minutes in ((date(2026, 4, 1), 30), (date(2026, 3, 31), 60)):
            db.session.add(Activity(enterprise_id=e1, kind="meeting", occurred_on=day, is_coaching=True,
                                    duration_minutes=minutes, body="Accompagnement"))
        _diagnostic(e1, date(2026, 2, 1), strategy=1, data=2)
        _diagnostic(e1, date(2026, 6, 1), strategy=3, data=2, skills=4)
        _diagnostic(e3, date(2026, 5, 1), strategy=2)
        _diagnostic(e3, date(2026, 8, 1), strategy=5, cybersecurity=3)
        _diagnostic(e3, date(2026, 9, 1), strategy=3, cybersecurity=1)
        _diagnostic(e2, date(2025, 5, 1), strategy=1)
        _diagnostic(e2, date(2025, 9, 1), strategy=4)
        _diagnostic(e4, date(2026, 6, 1), strategy=2)
        for enterprise_id, day in ((e1, date(2026, 4, 1)), (e1, date(2026, 8, 1)), (e2, date(2026, 5, 1)),
                                   (e3, date(2026, 1, 10))):
            db.session.add(DigitalPlan(enterprise_id=enterprise_id, produced_on=day))
        _project(e1, "carried_out", date(2026, 10, 1), amount_invested=1_234_567, public_funding=500_000,
                 jobs_created=3, jobs_maintained=5)
        _project(e2, "abandoned")
        _project(e2, "carried_out", date(2027, 4, 1), amount_invested=1_000)
        _project(e3, "carried_out", date(2026, 12, 1), amount_invested=10_000, jobs_created=1)
        db.session.commit()
    return PackWorld(hub, national, admin, manager_hub, ids)
