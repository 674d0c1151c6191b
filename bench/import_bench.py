"""Import throughput for a 10,000-row file, and the cost of hostile files.

    .venv/bin/python bench/import_bench.py                     # SQLite (temporary file)
    .venv/bin/python bench/import_bench.py --postgresql [URL]  # throw-away database on that server
    .venv/bin/python bench/import_bench.py --xlsx              # the same rows as an .xlsx workbook
    .venv/bin/python bench/import_bench.py --hostile           # each hostile file in a fresh process
    .venv/bin/python bench/import_bench.py --readers           # openpyxl vs python-calamine, if installed

Prints rows/second for parsing+validation (preview) and for the commit; for hostile files, the
growth of the process's peak memory (ru_maxrss) and the wall time of the upload (and of the
preview when the file is accepted). Not a timed test.
"""
import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm import create_app  # noqa: E402
from crm.contacts import services as contact_services  # noqa: E402
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


def sample_workbook(rows: int) -> bytes:
    from tests.imports_files import workbook_bytes

    lines = sample_file(rows).decode("cp1252").split("\r\n")
    return workbook_bytes([line.split(";") for line in lines])


def run(uri: str, label: str, xlsx: bool = False) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        organization = Organization(code=f"bench-{uuid.uuid4().hex[:6]}", name=f"Bench {uuid.uuid4().hex[:6]}")
        db.session.add(organization)
        db.session.commit()
        data = sample_workbook(ROWS) if xlsx else sample_file(ROWS)
        label += " (xlsx)" if xlsx else " (csv)"

        started = time.perf_counter()
        batch = services.start_import(data, "bench.xlsx" if xlsx else "bench.csv", organization=organization,
                                      actor=None)
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
            contact_services.add_contact(enterprise, actor=None, first_name="A", last_name=f"B{i}",
                                            email=f"s{i}@exemple.example", email_consent=True,
                                            context={"import_id": batch.id})
        db.session.commit()
        slow = time.perf_counter() - started
        print(f"{label}: {ROWS} rows — upload+preview {preview:.2f} s ({ROWS / preview:,.0f} rows/s), "
              f"commit (fast path) {commit:.2f} s ({ROWS / commit:,.0f} rows/s), "
              f"total {preview + commit:.2f} s; one service call per row: {2000 / slow:,.0f} rows/s")
        db.session.remove()
        db.engine.dispose()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hostile_child(path: str, name: str) -> None:
    """In a fresh process: upload (and preview, if accepted) one file; print JSON figures."""
    from crm.domain import DomainError

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/h.sqlite3", "TESTING": True,
                          "SECRET_KEY": "bench"})
        with app.test_request_context():
            db.create_all()
            organization = Organization(code="bench", name="Bench", region_code="05")
            db.session.add(organization)
            db.session.commit()
            data = Path(path).read_bytes()
            services.start_import(b"Nom;Ville\r\nA;B\r\n", "warm.csv", organization=organization, actor=None)
            db.session.rollback()
            before, started = _peak_mb(), time.perf_counter()
            try:
                batch = services.start_import(data, name, organization=organization, actor=None)
                services.preview_import(batch, mapping=batch.mapping or {"0": "name"}, defaults=batch.defaults,
                                        actor=None)
                outcome = f"accepted: {batch.row_count} rows, {len(batch.headers)} columns"
            except DomainError as error:
                outcome = "refused: " + str(error.message)
            elapsed = time.perf_counter() - started
        print(json.dumps({"outcome": outcome, "seconds": elapsed, "peak_growth_mb": _peak_mb() - before,
                          "size": len(data)}))


def hostile() -> None:
    from tests.imports_files import HOSTILE_FILES

    print("| file | size | outcome | peak memory growth | time |\n|---|---:|---|---:|---:|")
    for label, (build, name) in HOSTILE_FILES.items():
        with tempfile.NamedTemporaryFile(suffix=name) as handle:
            handle.write(build())
            handle.flush()
            output = subprocess.run([sys.executable, __file__, "--hostile-child", handle.name, name],
                                    capture_output=True, text=True, timeout=300, check=False)
        if output.returncode:
            print(f"| {label} | | crashed ({output.returncode}): {output.stderr[-300:]} | | |")
            continue
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        print(f"| {label} | {figures['size'] / 1000:,.1f} KB | {figures['outcome'][:90]} | "
              f"+{figures['peak_growth_mb']:.0f} MB | {figures['seconds']:.2f} s |")


def reader_child(reader: str, path: str) -> None:
    from crm.imports.parsing import Limits, read_sheet

    data = Path(path).read_bytes()
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "SECRET_KEY": "bench"})
    if reader == "calamine":
        import python_calamine
    before, started = _peak_mb(), time.perf_counter()
    try:
        if reader == "openpyxl":  # Virage's reader: zip sizes checked, merged ranges, openpyxl read-only
            with app.test_request_context():
                rows = len(read_sheet(data, "x.xlsx", Limits(rows=20_000)).rows)
        else:
            sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            rows = sum(1 for _row in sheet.iter_rows())
        outcome = f"{rows} rows"
    except Exception as error:  # noqa: BLE001 - a measurement: whatever it raises is the outcome
        outcome = f"{type(error).__name__}: {str(error)[:60]}"
    print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                      "peak_growth_mb": _peak_mb() - before}))


def readers() -> None:
    from tests.imports_files import HOSTILE_FILES

    files = {"10,000 rows × 11 columns (xlsx)": lambda: sample_workbook(ROWS)}
    files.update({label: build for label, (build, name) in HOSTILE_FILES.items() if name.endswith(".xlsx")})
    print("| file | reader | outcome | peak memory growth | time |\n|---|---|---|---:|---:|")
    for label, build in files.items():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            handle.write(build())
            handle.flush()
            for reader in ("openpyxl", "calamine"):
                output = subprocess.run([sys.executable, __file__, "--reader-child", reader, handle.name],
                                        capture_output=True, text=True, timeout=300, check=False)
                if output.returncode:
                    tail = output.stderr.strip().splitlines()[:1]
                    print(f"| {label} | {reader} | process killed ({output.returncode}): {tail} | | |")
                    continue
                figures = json.loads(output.stdout.strip().splitlines()[-1])
                print(f"| {label} | {reader} | {figures['outcome']} | +{figures['peak_growth_mb']:.0f} MB | "
                      f"{figures['seconds']:.2f} s |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgresql", nargs="?", const="postgresql+psycopg://127.0.0.1/test")
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--readers", action="store_true")
    parser.add_argument("--hostile-child", nargs=2)
    parser.add_argument("--reader-child", nargs=2)
    args = parser.parse_args()
    if args.hostile_child:
        return hostile_child(*args.hostile_child)
    if args.reader_child:
        return reader_child(*args.reader_child)
    if args.hostile:
        return hostile()
    if args.readers:
        return readers()
    if args.postgresql:
        admin = create_engine(args.postgresql, isolation_level="AUTOCOMMIT")
        name = f"virage_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(args.postgresql.rsplit("/", 1)[0] + f"/{name}", "PostgreSQL", args.xlsx)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.sqlite3", "SQLite", args.xlsx)
    return None


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
