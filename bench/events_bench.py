#!/usr/bin/env python3
"""Benchmark: a burst of public registrations to one event under gunicorn.

    .venv/bin/python bench/events_bench.py                                  # SQLite, 200 in 60 s
    .venv/bin/python bench/events_bench.py --database postgresql+psycopg://127.0.0.1/test
    .venv/bin/python bench/events_bench.py --people 200 --seconds 20        # a harder burst

Builds a fresh database (11,200 enterprises, so that the matching searches a province's worth of
names and NEQs), publishes one event of ``--capacity`` seats, serves Virage with gunicorn on
127.0.0.1, then sends ``--people`` registrations whose start times are spread at random over
``--seconds``: each person opens the form (for its token) and sends it, as a browser would. A
quarter give the NEQ of a known enterprise, a quarter the name and city of one, the rest a new
enterprise. Prints the median, 95th percentile and maximum time of the form and of the sending,
the errors, and checks that the seats and the waiting list add up and that each person has one
email queued. Results: bench/results/ (ignored by git). Not a test: figures depend on the machine.
"""
import argparse
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import SECRET_KEY, Gunicorn, fresh_database, percentile  # noqa: E402

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]*)"')
ENTERPRISES = 11_200
CITIES = ("Montréal", "Québec", "Sherbrooke", "Gatineau", "Rimouski", "Saguenay", "Laval", "Longueuil")


def seed(uri: str, capacity: int) -> int:
    from flask_migrate import upgrade

    from crm import create_app
    from crm.enterprises.models import Enterprise
    from crm.events import services
    from crm.extensions import db
    from crm.organizations.models import Organization
    from crm.text import fold, normalized_name

    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        organization = Organization(code="pole-banc", name="Pôle du banc d'essai", kind="regional")
        db.session.add(organization)
        db.session.flush()
        now = datetime.now(UTC)
        rows = []
        for n in range(ENTERPRISES):
            name, city = f"Coopérative numéro {n}", CITIES[n % len(CITIES)]
            rows.append({"name": name, "name_key": normalized_name(name), "neq": f"{1_000_000_000 + n}",
                         "legal_form": "obnl", "region_code": "06", "city": city, "city_key": fold(city),
                         "organization_id": organization.id, "stage": "identified", "preferred_language": "fr",
                         "search_text": fold(f"{name} {city}"), "version": 1, "created_at": now, "updated_at": now})
        for start in range(0, len(rows), 4000):
            db.session.execute(insert(Enterprise), rows[start:start + 4000])
        starts = now + timedelta(days=30)
        event = services.create_event(
            actor=None, starts_at=starts, ends_at=starts + timedelta(hours=1), title="Midi numérique (banc)",
            kind="webinar", organization_id=organization.id, mode="virtual", capacity=capacity, languages="fr",
            meeting_url="https://zoom.example/j/1")
        services.publish_event(event, actor=None)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id


def person_fields(n: int, rng: random.Random) -> dict:
    kind = n % 4
    known = rng.randrange(ENTERPRISES)
    fields = {"first_name": f"Personne{n}", "last_name": "Banc", "email": f"personne{n}@banc.example",
              "role": "Direction", "enterprise_name": f"Entreprise nouvelle {n}", "neq": "", "city": "Montréal",
              "region_code": "06", "legal_form": "obnl", "consent_reminders": "y"}
    if kind == 0:
        fields["neq"] = f"{1_000_000_000 + known}"
    elif kind == 1:
        fields.update(enterprise_name=f"Coopérative numéro {known}", city=CITIES[known % len(CITIES)])
    return fields


def register(port: int, event_id: int, fields: dict, results: list, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    conn.request("GET", f"/events/{event_id}/register", headers={"Accept-Language": "fr-CA"})
    response = conn.getresponse()
    page = response.read().decode()
    form_ms = (time.perf_counter() - started) * 1000
    token = FORM_TOKEN.search(page)
    body = urlencode({**fields, "form_token": token.group(1) if token else ""})
    started = time.perf_counter()
    conn.request("POST", f"/events/{event_id}/register", body=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "fr-CA"})
    answer = conn.getresponse()
    answer.read()
    send_ms = (time.perf_counter() - started) * 1000
    conn.close()
    with lock:
        results.append({"form_status": response.status, "form_ms": form_ms, "status": answer.status,
                        "send_ms": send_ms})


def warm_up(port: int, event_id: int, workers: int) -> None:
    """Each worker compiles its templates and statements on its first requests: not what is measured."""
    for _ in range(4 * workers):
        for method, path, body in (("GET", f"/events/{event_id}", None), ("GET", f"/events/{event_id}/register", None),
                                   ("POST", f"/events/{event_id}/register", "first_name=")):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            conn.getresponse().read()
            conn.close()


def check(uri: str, event_id: int) -> dict:
    engine = create_engine(uri)
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT status, COUNT(*) FROM event_registrations WHERE event_id = :e "
                                          "GROUP BY status"), {"e": event_id}).all())
        emails = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT registration_id) FROM event_emails "
                                   "WHERE kind IN ('confirmed', 'waiting')")).one()
        matches = dict(conn.execute(text("SELECT match_status, COUNT(*) FROM event_registrations "
                                         "GROUP BY match_status")).all())
    engine.dispose()
    return {"statuses": statuses, "emails": emails[0], "people_emailed": emails[1], "matches": matches}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=None, help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--capacity", type=int, default=150)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()

    uri, drop = fresh_database(args.database, "events_bench")
    try:
        event_id = seed(uri, args.capacity)
        server = Gunicorn({"DATABASE_URL": uri,
                           # Every person comes from 127.0.0.1 here: the per-address limit is raised, not removed.
                           "EVENTS_LIMIT_PER_ADDRESS": "100000 per hour", "EVENTS_LIMIT_PER_EVENT": "100000 per hour"},
                          args.workers, ready_path="/events")
        warm_up(server.port, event_id, args.workers)
        rng = random.Random(args.seed)
        starts = sorted(rng.uniform(0, args.seconds) for _ in range(args.people))
        results, lock, threads = [], threading.Lock(), []
        began = time.perf_counter()
        try:
            for n, at in enumerate(starts):
                delay = at - (time.perf_counter() - began)
                if delay > 0:
                    time.sleep(delay)
                thread = threading.Thread(target=register, args=(server.port, event_id, person_fields(n, rng),
                                                                 results, lock))
                thread.start()
                threads.append(thread)
            for thread in threads:
                thread.join(120)
        finally:
            server.stop()
        elapsed = time.perf_counter() - began
        outcome = check(uri, event_id)
    finally:
        drop()
    sends = [r["send_ms"] for r in results]
    forms = [r["form_ms"] for r in results]
    errors = sum(1 for r in results if r["status"] != 302 or r["form_status"] != 200)
    summary = {
        "database": "postgresql" if args.database else "sqlite", "people": args.people, "seconds": args.seconds,
        "capacity": args.capacity, "workers": args.workers, "elapsed_s": round(elapsed, 1), "errors": errors,
        "answered": len(results),
        "send_ms": {"p50": round(statistics.median(sends), 1), "p95": round(percentile(sends, 0.95), 1),
                    "max": round(max(sends), 1)},
        "form_ms": {"p50": round(statistics.median(forms), 1), "p95": round(percentile(forms, 0.95), 1),
                    "max": round(max(forms), 1)},
        **outcome,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    seats_ok = outcome["statuses"].get("confirmed") == min(args.capacity, args.people)
    waiting_ok = outcome["statuses"].get("waiting", 0) == max(0, args.people - args.capacity)
    emails_ok = outcome["emails"] == outcome["people_emailed"] == args.people
    print(f"\nerrors {errors}; sending p95 {summary['send_ms']['p95']} ms; seats {'ok' if seats_ok else 'WRONG'}; "
          f"waiting list {'ok' if waiting_ok else 'WRONG'}; one email each {'ok' if emails_ok else 'WRONG'}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (out / f"events-{summary['database']}-{stamp}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0 if errors == 0 and seats_ok and waiting_ok and emails_ok else 1


if __name__ == "__main__":
    sys.exit(main())
