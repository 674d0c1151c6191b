"""Import throughput for a 10,000-row file, and the cost of hostile files.

    .venv/bin/python bench/import_bench.py                     # SQLite (temporary file)
    .venv/bin/python bench/import_bench.py --postgresql [URL]  # throw-away database on that server
    .venv/bin/python bench/import_bench.py --xlsx              # the same rows as an .xlsx workbook
    .venv/bin/python bench/import_bench.py --fast-path-only --json  # one JSON line, for comparisons
    .venv/bin/python bench/import_bench.py --web               # through the pages, step by step
    .venv/bin/python bench/import_bench.py --hostile           # each hostile file in a fresh process
    .venv/bin/python bench/import_bench.py --readers           # Virage's .xlsx reader, openpyxl, python-calamine

Prints rows/second for parsing+validation (preview) and for the commit, with the CPU time of this
process and, on a local PostgreSQL, of the server process that runs the session's statements (on a
shared machine, CPU time moves less than wall time); for hostile files, the growth of the process's
peak memory (ru_maxrss), the wall and CPU time of the upload (and of the preview when the file is
accepted). The garbage collector is set as wsgi.py sets it for the server's workers. Not a timed test.
"""
import argparse
import gc
import io
import json
import os
import re
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


def _backend_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL server process of the session's connection, when
    the server runs on this machine (its /proc entry is readable); None otherwise."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(uri: str, label: str, xlsx: bool = False, one_by_one: bool = True, as_json: bool = False) -> None:
    """Upload+preview, then commit, as the services run them; wall time, and CPU time of this process
    (and of the PostgreSQL server process, when local): steadier than wall time on a shared machine."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "bench"})
    # As wsgi.py sets it for gunicorn's workers: what the import costs the server.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)
    with app.app_context():
        upgrade()
        organization = Organization(code=f"bench-{uuid.uuid4().hex[:6]}", name=f"Bench {uuid.uuid4().hex[:6]}")
        db.session.add(organization)
        db.session.commit()
        data = sample_workbook(ROWS) if xlsx else sample_file(ROWS)
        label += " (xlsx)" if xlsx else " (csv)"

        server = _backend_cpu()
        started, cpu = time.perf_counter(), time.process_time()
        batch = services.start_import(data, "bench.xlsx" if xlsx else "bench.csv", organization=organization,
                                      actor=None)
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
        preview, preview_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        services.commit_import(batch, actor=None, update_empty=False)
        db.session.commit()
        commit, commit_cpu = time.perf_counter() - started, time.process_time() - cpu
        server = None if server is None else _backend_cpu() - server
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == ROWS
        figures = {"label": label, "rows": ROWS, "preview": preview, "preview_cpu": preview_cpu, "commit": commit,
                   "commit_cpu": commit_cpu, "total": preview + commit, "total_cpu": preview_cpu + commit_cpu,
                   "server_cpu": server}
        if as_json:
            print(json.dumps(figures))
        else:
            print(f"{label}: {ROWS} rows — upload+preview {preview:.2f} s ({ROWS / preview:,.0f} rows/s, "
                  f"CPU {preview_cpu:.2f} s), commit (fast path) {commit:.2f} s ({ROWS / commit:,.0f} rows/s, "
                  f"CPU {commit_cpu:.2f} s), total {preview + commit:.2f} s (CPU {preview_cpu + commit_cpu:.2f} s"
                  + ("" if server is None else f", PostgreSQL server CPU {server:.2f} s") + ")")
        if one_by_one:
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
            print(f"one service call per row: {2000 / slow:,.0f} rows/s")
        db.session.remove()
        db.engine.dispose()


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _token(page: str) -> str:
    match = _TOKEN.search(page)
    return match.group(1) or match.group(2)


def run_web(uri: str, label: str, xlsx: bool = False, as_json: bool = False) -> None:
    """The same file through the pages, as a manager goes: the upload form, the upload, the mapping
    page, the mapping (which runs the preview step), the preview page, the commit, the import's page.
    Each request commits through the request's transaction step; the sheet and the checked rows go
    to the database and back between the steps, as between gunicorn's workers."""
    from flask_migrate import upgrade

    from crm.auth.models import User
    from tests.imports_helpers import preselected

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "bench"})
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)
    with app.app_context():
        upgrade()
        organization = Organization(code="bench-web", name="Bench web", region_code="06")
        db.session.add(organization)
        db.session.flush()
        user = User(email="gestion@bench.example", full_name="Gestion Bench", role="manager",
                    organization_id=organization.id)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        server_start = _backend_cpu()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "gestion@bench.example", "password": "correct horse battery",
                                           "csrf_token": _token(page)})
    assert response.status_code == 302, response.status_code
    data = sample_workbook(ROWS) if xlsx else sample_file(ROWS)
    name = "bench.xlsx" if xlsx else "bench.csv"
    steps, figures = {}, {}

    def step(label, call):
        started, cpu = time.perf_counter(), time.process_time()
        response = call()
        steps[label] = (time.perf_counter() - started, time.process_time() - cpu)
        assert response.status_code in (200, 302), (label, response.status_code)
        return response

    token = _token(step("upload form", lambda: client.get("/imports/new")).get_data(as_text=True))
    boundary = f"----bench{uuid.uuid4().hex}"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    response = step("upload", lambda: client.post("/imports/new", data=body,
                                                  content_type=f"multipart/form-data; boundary={boundary}"))
    mapping_path = response.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)/", mapping_path).group(1))
    page = step("mapping page", lambda: client.get(mapping_path)).get_data(as_text=True)
    form = {**preselected(page), "csrf_token": _token(page), "default_region": "06", "default_legal_form": ""}
    step("mapping (preview step)", lambda: client.post(mapping_path, data=form))
    page = step("preview page", lambda: client.get(f"/imports/{batch_id}/preview")).get_data(as_text=True)
    response = step("commit", lambda: client.post(f"/imports/{batch_id}/commit",
                                                  data={"duplicates": "skip", "csrf_token": _token(page)}))
    step("import page", lambda: client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == ROWS
        server = None if server_start is None else _backend_cpu() - server_start
        db.session.remove()
        db.engine.dispose()
    label += (" (xlsx)" if xlsx else " (csv)") + " through the pages"
    figures = {"label": label, "rows": ROWS, "steps": steps, "total": sum(w for w, _c in steps.values()),
               "total_cpu": sum(c for _w, c in steps.values()), "server_cpu": server}
    if as_json:
        print(json.dumps(figures))
        return
    print(f"{label}: total {figures['total']:.2f} s (CPU {figures['total_cpu']:.2f} s"
          + ("" if server is None else f", PostgreSQL server CPU {server:.2f} s, with the session's set-up") + ")")
    for name, (wall, cpu) in steps.items():
        print(f"  {name}: {wall:.2f} s (CPU {cpu:.2f} s)")


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
            before, started, cpu = _peak_mb(), time.perf_counter(), time.process_time()
            try:
                batch = services.start_import(data, name, organization=organization, actor=None)
                services.preview_import(batch, mapping=batch.mapping or {"0": "name"}, defaults=batch.defaults,
                                        actor=None)
                outcome = f"accepted: {batch.row_count} rows, {len(batch.headers)} columns"
            except DomainError as error:
                outcome = "refused: " + str(error.message)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(json.dumps({"outcome": outcome, "seconds": elapsed, "cpu": cpu, "peak_growth_mb": _peak_mb() - before,
                          "size": len(data)}))


def hostile() -> None:
    from tests.imports_files import HOSTILE_FILES

    print("| file | size | outcome | peak memory growth | time | CPU |\n|---|---:|---|---:|---:|---:|")
    for label, (build, name) in HOSTILE_FILES.items():
        with tempfile.NamedTemporaryFile(suffix=name) as handle:
            handle.write(build())
            handle.flush()
            output = subprocess.run([sys.executable, __file__, "--hostile-child", handle.name, name],
                                    capture_output=True, text=True, timeout=300, check=False)
        if output.returncode:
            print(f"| {label} | | crashed ({output.returncode}): {output.stderr[-300:]} | | | |")
            continue
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        print(f"| {label} | {figures['size'] / 1000:,.1f} KB | {figures['outcome'][:90]} | "
              f"+{figures['peak_growth_mb']:.0f} MB | {figures['seconds']:.2f} s | {figures['cpu']:.2f} s |")


def reader_child(reader: str, path: str) -> None:
    from crm.imports.parsing import Limits, read_sheet

    data = Path(path).read_bytes()
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "SECRET_KEY": "bench"})
    if reader == "calamine":
        import python_calamine
    before, started, cpu = _peak_mb(), time.perf_counter(), time.process_time()
    try:
        if reader == "virage":  # zip sizes checked, then one pass of expat (crm.imports.xlsx)
            with app.test_request_context():
                rows = len(read_sheet(data, "x.xlsx", Limits(rows=20_000)).rows)
        elif reader == "openpyxl":  # Virage's reader before: openpyxl read-only, dimension reset
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=False).worksheets[0]
            sheet.reset_dimensions()
            rows = sum(1 for _row in sheet.iter_rows(values_only=True))
        else:
            sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            rows = sum(1 for _row in sheet.iter_rows())
        outcome = f"{rows} rows"
    except Exception as error:  # noqa: BLE001 - a measurement: whatever it raises is the outcome
        outcome = f"{type(error).__name__}: {str(error)[:60]}"
    print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu, "peak_growth_mb": _peak_mb() - before}))


def readers() -> None:
    """Virage's reader, openpyxl's (read-only, the reader before) and python-calamine's if installed.
    The hostile files are read by openpyxl without Virage's checks: it may run for minutes."""
    from tests.imports_files import HOSTILE_FILES, shared_strings_workbook

    lines = [line.split(";") for line in sample_file(ROWS).decode("cp1252").split("\r\n")]
    files = {"10,000 rows × 11 columns, inline strings (as openpyxl writes)": lambda: sample_workbook(ROWS),
             "10,000 rows × 11 columns, shared strings (as Excel writes)": lambda: shared_strings_workbook(lines)}
    files.update({label: build for label, (build, name) in HOSTILE_FILES.items() if name.endswith(".xlsx")})
    try:
        import python_calamine  # noqa: F401
        names = ("virage", "openpyxl", "calamine")
    except ImportError:
        names = ("virage", "openpyxl")
    print("| file | reader | outcome | peak memory growth | time | CPU |\n|---|---|---|---:|---:|---:|")
    for label, build in files.items():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            handle.write(build())
            handle.flush()
            for reader in names:
                if reader == "openpyxl" and label in HOSTILE_FILES:
                    continue
                output = subprocess.run([sys.executable, __file__, "--reader-child", reader, handle.name],
                                        capture_output=True, text=True, timeout=300, check=False)
                if output.returncode:
                    tail = output.stderr.strip().splitlines()[:1]
                    print(f"| {label} | {reader} | process killed ({output.returncode}): {tail} | | | |")
                    continue
                figures = json.loads(output.stdout.strip().splitlines()[-1])
                print(f"| {label} | {reader} | {figures['outcome']} | +{figures['peak_growth_mb']:.0f} MB | "
                      f"{figures['seconds']:.2f} s | {figures['cpu']:.2f} s |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgresql", nargs="?", const="postgresql+psycopg://127.0.0.1/test")
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--readers", action="store_true")
    parser.add_argument("--hostile-child", nargs=2)
    parser.add_argument("--reader-child", nargs=2)
    parser.add_argument("--fast-path-only", action="store_true", help="skip the one-by-one comparison")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument("--web", action="store_true", help="through the pages, as a manager goes")
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
            uri = args.postgresql.rsplit("/", 1)[0] + f"/{name}"
            if args.web:
                run_web(uri, "PostgreSQL", args.xlsx, args.json)
            else:
                run(uri, "PostgreSQL", args.xlsx, not args.fast_path_only, args.json)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            uri = f"sqlite:///{folder}/bench.sqlite3"
            if args.web:
                run_web(uri, "SQLite", args.xlsx, args.json)
            else:
                run(uri, "SQLite", args.xlsx, not args.fast_path_only, args.json)
    return None


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
