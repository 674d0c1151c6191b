"""Import throughput for a 10,000-row file: the fast path vs. one service call per row.

    .venv/bin/python bench/import_bench.py                     # SQLite (temporary file)
    .venv/bin/python bench/import_bench.py --postgresql [URL]  # throw-away database on that server

Prints rows/second for parsing+validation (preview) and for the commit; not a timed test.
"""
import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm import create_app  # noqa: E402
from crm.enterprises import services as enterprise_services  # noqa: E402
from crm.enterprises.models import Enterprise  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.imports import services  # noqa: E402
from crm.organizations.models import Organization  # noqa: E402

ROWS = 10_000


def sample_file(rows: int) -> bytes:
    lines = ["Nom de l'entreprise;NEQ;Région administrative;Forme juridique;Ville;Code postal;Prénom;"
             "Nom du contact;Courriel;Téléphone;Consentement"]
    lines += [f"Coopérative numéro {i};{1_000_000_000 + i};{(i % 17) + 1:02d};OBNL;Ville {i % 300};H2X 1Y4;"
              f"Prénom{i};Nom{i};p{i}@exemple.example;514 555-{i % 10000:04d};oui" for i in range(rows)]
    return "\r\n".join(lines).encode("cp1252")


def run(uri: str, label: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        organization = Organization(code=f"bench-{uuid.uuid4().hex[:6]}", name=f"Bench {uuid.uuid4().hex[:6]}")
        db.session.add(organization)
        db.session.commit()
        data = sample_file(ROWS)

        started = time.perf_counter()
        batch = services.start_import(data, "bench.csv", organization=organization, actor=None)
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
        preview = time.perf_counter() - started
        started = time.perf_counter()
        services.commit_import(batch, actor=None, update_empty=False)
        db.session.commit()
        commit = time.perf_counter() - started
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == ROWS

        # The same rows through create_enterprise + add_contact, one by one (what the fast path avoids).
        started = time.perf_counter()
        for i in range(2000):
            enterprise = enterprise_services.create_enterprise(
                actor=None, name=f"Service {i}", legal_form="obnl", region_code="06", city="Montréal",
                organization_id=organization.id, context={"import_id": batch.id})
            enterprise_services.add_contact(enterprise, actor=None, first_name="A", last_name=f"B{i}",
                                            email=f"s{i}@exemple.example", email_consent=True,
                                            context={"import_id": batch.id})
        db.session.commit()
        slow = time.perf_counter() - started
        print(f"{label}: {ROWS} rows — upload+preview {preview:.2f} s ({ROWS / preview:,.0f} rows/s), "
              f"commit (fast path) {commit:.2f} s ({ROWS / commit:,.0f} rows/s), "
              f"total {preview + commit:.2f} s; one service call per row: {2000 / slow:,.0f} rows/s")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgresql", nargs="?", const="postgresql+psycopg://127.0.0.1/test")
    args = parser.parse_args()
    if args.postgresql:
        admin = create_engine(args.postgresql, isolation_level="AUTOCOMMIT")
        name = f"virage_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(args.postgresql.rsplit("/", 1)[0] + f"/{name}", "PostgreSQL")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.sqlite3", "SQLite")


if __name__ == "__main__":
    main()
