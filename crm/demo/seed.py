"""``flask crm seed-demo``: a realistic, reproducible demo of the programme."""
import random
from datetime import timedelta

from sqlalchemy import func, select

from crm.auth.models import User
from crm.auth.services import create_user
from crm.cohorts.demo import seed_cohorts
from crm.contacts.services import add_contact
from crm.db import utcnow
from crm.demo import data
from crm.demo.outcomes import seed_outcomes
from crm.demo.scale_surveys import seed_surveys
from crm.enterprises.models import Enterprise
from crm.enterprises.services import change_stage, create_enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.reference import REGION_WEIGHTS
from crm.referrals.demo import seed_referrals
from crm.reminders.planning import plan_all
from crm.text import fold
from crm.workqueue.demo import seed_follow_ups

DEMO_PASSWORD = "virage-demo-2026"  # noqa: S105 - published demo password
DEMO_ENTERPRISES = 800

# (email, full name, role, organization code, locale)
DEMO_USERS = [
    ("admin@virage.example", "Hélène Programme", "admin", "cqcm", "fr"),
    ("gestion.chantier@virage.example", "Martine Lefebvre", "manager", "chantier", "fr"),
    ("gestion.capitale@virage.example", "Pierre Drolet", "manager", "pole-03", "fr"),
    ("gestion.cesim@virage.example", "Anne Robinson", "manager", "cesim", "en"),
    ("gestion.estrie@virage.example", "Luc Bérubé", "manager", "reses", "fr"),
    ("conseillere.chantier@virage.example", "Julie Tremblay", "coach", "chantier", "fr"),
    ("conseiller.chantier@virage.example", "Marc-André Gagnon", "coach", "chantier", "fr"),
    ("conseillere.capitale@virage.example", "Sophie Côté", "coach", "pole-03", "fr"),
    ("coach.cesim@virage.example", "Daniel Wong", "coach", "cesim", "en"),
    ("conseillere.cesim@virage.example", "Nadia Haddad", "coach", "cesim", "fr"),
    ("conseiller.estrie@virage.example", "Olivier Gauthier", "coach", "reses", "fr"),
    ("conseillere.cqcm@virage.example", "Geneviève Roy", "coach", "cqcm", "fr"),
]

# Where demo enterprises stand in the journey (the rest stay identified).
STAGE_PATHS = [
    ([], 30), (["awareness"], 28), (["awareness", "training"], 16),
    (["awareness", "training", "coaching_individual"], 9),
    (["awareness", "coaching_collective"], 7),
    (["awareness", "training", "coaching_collective", "completed"], 6),
    (["awareness", "withdrawn"], 4),
]


def seed_demo() -> list[tuple[str, str, str]]:
    """Add what the demo lacks (flushed; the caller commits) and return the logins."""
    organizations = _ensure_organizations()
    users = _ensure_users(organizations)
    count = db.session.scalar(select(func.count()).select_from(Enterprise))
    if count < DEMO_ENTERPRISES:
        _create_enterprises(DEMO_ENTERPRISES - count, organizations, users, seed=count)
    seed_cohorts(organizations)
    seed_referrals(organizations)
    seed_outcomes()
    seed_follow_ups(users)  # a work queue to show (crm/workqueue)
    seed_surveys(random.Random(20261203), utcnow(), lambda n: None)  # noqa: S311 - demo data
    # What `flask reminders send` would do first: the coming sessions' reminders wait in the outbox.
    plan_all()
    return [(u.email, u.role, u.organization.name) for u in users]


def _ensure_organizations() -> dict[str, Organization]:
    existing = {o.code: o for o in db.session.scalars(select(Organization))}
    for code, name, kind, region in data.ORGANIZATIONS:
        if code not in existing:
            existing[code] = Organization(code=code, name=name, kind=kind, region_code=region)
            db.session.add(existing[code])
    db.session.flush()
    return existing


def _ensure_users(organizations) -> list[User]:
    users = []
    for email, name, role, org_code, locale in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email=email, full_name=name, password=DEMO_PASSWORD, role=role,
                               organization=organizations[org_code], locale=locale)
        users.append(user)
    return users


def _owner_for_region(region: str, organizations, rng) -> Organization:
    hubs = [o for o in organizations.values() if o.region_code == region]
    nationals = [o for o in organizations.values() if o.kind == "national"]
    return rng.choice(hubs) if hubs and rng.random() < 0.7 else rng.choice(nationals)


def _create_enterprises(how_many, organizations, users, *, seed) -> None:
    rng = random.Random(20261126 + seed)  # noqa: S311 - demo data, not security
    coaches_by_org = {}
    for user in users:
        if user.role == "coach":
            coaches_by_org.setdefault(user.organization_id, []).append(user)
    regions = list(REGION_WEIGHTS)
    weights = list(REGION_WEIGHTS.values())
    paths, path_weights = zip(*STAGE_PATHS, strict=True)
    now = utcnow()
    for index in range(how_many):
        region = rng.choices(regions, weights)[0]
        legal_form = rng.choices(list(data.NAME_STARTS), [75, 6, 2, 4, 5, 5, 1, 2])[0]
        city = rng.choice(data.CITIES[region])
        owner = _owner_for_region(region, organizations, rng)
        coaches = coaches_by_org.get(owner.id, [])
        name = f"{rng.choice(data.NAME_STARTS[legal_form])} {rng.choice(data.NAME_ENDS)} {seed + index + 1}"
        enterprise = create_enterprise(
            actor=None, name=name, legal_form=legal_form, region_code=region, city=city,
            neq=f"11{rng.randrange(10**8):08d}" if rng.random() < 0.8 else None,
            postal_code=f"{data.POSTAL_PREFIX[region]} {rng.randint(1, 9)}{rng.choice('ABCEGHJ')}{rng.randint(0, 9)}",
            **dict(zip(("sector_code", "sector"), rng.choice(data.SECTORS), strict=True)),
            employees=rng.randint(1, 120),
            website=f"https://{fold(name).replace(' ', '-')[:40]}.example",
            organization_id=owner.id, coach_id=rng.choice(coaches).id if coaches and rng.random() < 0.8 else None,
            preferred_language="en" if rng.random() < 0.1 else "fr",
            created_at=now - timedelta(days=rng.randint(200, 420)),
        )
        _add_contacts(enterprise, rng)
        path = rng.choices(paths, path_weights)[0]
        when = enterprise.created_at
        for stage in path:
            when = when + timedelta(days=rng.randint(10, 60))
            comment = "Retrait : manque de temps cette année." if stage == "withdrawn" else None
            change_stage(enterprise, stage, actor=enterprise.coach, comment=comment,
                         at=min(when, now - timedelta(days=1)))
        if (index + 1) % 100 == 0:
            db.session.flush()


def _add_contacts(enterprise, rng) -> None:
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        domain = fold(enterprise.name).split()[-1] + ".example"
        consent = rng.random() < 0.85
        add_contact(
            enterprise, actor=None, first_name=first, last_name=last,
            title=rng.choice(data.TITLES),
            email=f"{fold(first)}.{fold(last)}@{domain}".replace(" ", ""),
            phone=f"+1 {rng.choice(['418', '514', '819', '450', '581'])}-555-{rng.randint(1000, 9999)}",
            preferred_language=enterprise.preferred_language,
            email_consent=consent, consent_source="Formulaire d'inscription" if consent else None,
        )
