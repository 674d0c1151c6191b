"""Benchmark: dispatch 10,000 due reminders to a local SMTP sink, with one and with two senders.

    .venv/bin/python bench/reminders_bench.py                       # SQLite (a temporary file)
    .venv/bin/python bench/reminders_bench.py --database postgresql+psycopg://127.0.0.1/test
    .venv/bin/python bench/reminders_bench.py --count 2000          # quicker

Each run builds a fresh database, one cohort session with N contacts, plans (timed separately),
then sends with 1 and 2 sender threads (each with its own app and engine) into an in-process
aiosmtpd sink that only counts messages per Message-ID. Prints reminders per second, and checks
that every reminder reached the sink exactly once. Not a test: figures depend on the machine.
"""
import argparse
import re
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database  # noqa: E402
from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402
from tests.smtp import free_port  # noqa: E402

STARTS = datetime(2030, 3, 14, 18, 30, tzinfo=UTC)
NOW = STARTS - timedelta(days=7)


class CountingSink:
    def __init__(self):
        self.ids = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        match = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        with self.lock:
            self.ids[match.group(1) if match else b"?"] += 1
        return "250 OK"


def config(uri: str, port: int) -> dict:
    return {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri, "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port, "REMINDER_OFFSETS_MINUTES": (7 * 1440,), "REMINDER_BATCH_SIZE": 100}


def seed(app, count: int) -> None:
    from flask_migrate import upgrade

    from crm.auth.models import User
    from crm.cohorts.models import Cohort, CohortMembership, ProgrammeSession
    from crm.contacts.models import Contact
    from crm.enterprises.models import Enterprise
    from crm.organizations.models import Organization

    with app.app_context():
        upgrade()
        org = Organization(code="bench", name="Banc d'essai", kind="national")
        db.session.add(org)
        db.session.flush()
        coach = User(email="coach@bench.example", full_name="Coach", role="coach", organization_id=org.id,
                     password_hash="!")  # noqa: S106 - cannot sign in
        db.session.add(coach)
        db.session.flush()
        cohort = Cohort(name="Cohorte", kind="training", organization_id=org.id, start_date=date(2030, 1, 1),
                        end_date=date(2030, 12, 31), capacity=100000, place="Montréal")
        db.session.add(cohort)
        db.session.flush()
        enterprises = 100
        db.session.execute(insert(Enterprise), [
            {"name": f"Coop {i}", "name_key": f"coop {i}", "legal_form": "coop_work", "region_code": "06",
             "organization_id": org.id, "search_text": ""} for i in range(enterprises)])
        ids = db.session.scalars(text("SELECT id FROM enterprises ORDER BY id")).all()
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort.id, "enterprise_id": e, "joined_on": date(2030, 1, 1)} for e in ids])
        db.session.execute(insert(Contact), [
            {"enterprise_id": ids[i % enterprises], "first_name": f"P{i}", "last_name": "Test",
             "email": f"p{i}@bench.example", "preferred_language": "en" if i % 3 == 0 else "fr",
             "email_consent": True} for i in range(count - 1)])
        db.session.add(ProgrammeSession(cohort_id=cohort.id, organization_id=org.id, title="Atelier", starts_at=STARTS,
                               ends_at=STARTS + timedelta(hours=2), duration_minutes=120, place="Salle 1",
                               facilitator_id=coach.id, agenda="Ordre du jour"))
        db.session.commit()


def plan(app) -> tuple[int, float]:
    from crm.reminders.planning import plan_all

    with app.app_context():
        started = time.perf_counter()
        result = plan_all(NOW)
        db.session.commit()
        return result.created, time.perf_counter() - started


def reset(app) -> None:
    with app.app_context():
        db.session.execute(text("UPDATE reminders SET state = 'pending', attempts = 0, claimed_by = NULL, "
                                "claimed_at = NULL, sent_at = NULL, sent_sequence = NULL"))
        db.session.commit()


def dispatch(uri: str, port: int, senders: int) -> tuple[int, float]:
    from crm.reminders.sending import send_due

    apps = [create_app(config(uri, port)) for _ in range(senders)]
    barrier = threading.Barrier(senders + 1)
    sent = []

    def worker(app, name):
        with app.app_context():
            barrier.wait()
            sent.append(send_due(now=NOW, me=name).sent)
            db.engine.dispose()

    threads = [threading.Thread(target=worker, args=(a, f"bench-{i}")) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return sum(sent), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="PostgreSQL server URL (a throw-away database is created there)")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    uri, drop = fresh_database(args.database, "bench")
    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = create_app(config(uri, port))
        seed(app, args.count)
        created, seconds = plan(app)
        print(f"{db_name(uri)}: planned {created} reminders in {seconds:.2f} s")
        for senders in (1, 2):
            reset(app)
            sink.ids.clear()
            sent, seconds = dispatch(uri, port, senders)
            duplicates = sum(n - 1 for n in sink.ids.values() if n > 1)
            print(f"{db_name(uri)}: {senders} sender(s): {sent} sent in {seconds:.1f} s = "
                  f"{sent / seconds:.0f} reminders/s; sink received {sum(sink.ids.values())}, "
                  f"duplicates {duplicates}")
        with app.app_context():
            db.engine.dispose()
    finally:
        controller.stop()
        drop()


def db_name(uri: str) -> str:
    return "PostgreSQL" if uri.startswith("postgresql") else "SQLite"


if __name__ == "__main__":
    main()
