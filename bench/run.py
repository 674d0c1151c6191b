#!/usr/bin/env python3
"""Virage benchmark: bounded load on the main pages under gunicorn, compared with a floor.

    .venv/bin/python bench/run.py --factor 1 --database sqlite --workers 4 --clients 16 --seconds 15

Prepares a database at the given scale (cached between runs unless --fresh), starts gunicorn on
127.0.0.1, signs in as a coach, a manager and an admin, then drives a fixed number of concurrent
clients for a fixed time on each page, and on /bench/floor (one indexed query). Prints, per page:
requests/s, median and 95th-percentile latency, errors, SQL queries per request, and the ratio of
the page's throughput to the floor's. Traffic goes only to 127.0.0.1. Results: bench/results/.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BIN, SECRET_KEY, Gunicorn  # noqa: E402
from bench.pages import PAGES, resolve_placeholders  # noqa: E402

PASSWORD = os.environ.get("BENCH_PASSWORD", "virage-demo-2026")
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def database_url(kind: str, factor: float) -> str:
    tag = f"{factor:g}".replace(".", "_")
    if kind == "sqlite":
        path = ROOT / "bench" / "data" / f"virage-f{tag}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    server = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://127.0.0.1/test")
    # BENCH_DATABASE_NAME: a copy of the database, e.g. to measure a branch that migrates it.
    return server.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_DATABASE_NAME", f"virage_bench_f{tag}")


def prepare_database(kind: str, factor: float, fresh: bool) -> str:
    from sqlalchemy import create_engine, text

    url = database_url(kind, factor)
    if kind == "postgresql":
        admin = create_engine(os.environ.get("BENCH_PG_URL", "postgresql+psycopg://127.0.0.1/test"),
                              isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if exists and fresh:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                exists = False
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    elif fresh:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py", "SECRET_KEY": SECRET_KEY}
    flask = [str(BIN / "flask")]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)  # noqa: S603
    if not _seeded(url):
        seed = ["crm", "seed-scale", "--factor", str(factor)] if factor else ["crm", "seed-demo"]
        subprocess.run([*flask, *seed], cwd=ROOT, env=env, check=True)  # noqa: S603
        subprocess.run([*flask, "crm", "seed-demo"], cwd=ROOT, env=env, check=True)  # noqa: S603
    return url


def _seeded(url: str) -> bool:
    """Whether the database already holds the data: the demo logins are created last."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM users WHERE email = :email"),
                             {"email": "gestion.cesim@virage.example"}).scalar()
    engine.dispose()
    return bool(found)


def request(port, method, path, body=None, cookie=None, conn=None):
    """``cookie``: a session cookie, or for the API a ("Authorization", "Bearer …") header."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Language": "fr-CA"}
    if isinstance(cookie, tuple):
        headers[cookie[0]] = cookie[1]
    elif cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if own:
        conn.close()
    return response.status, response.headers, data


def _cookie(headers, cookie):
    """The session cookie after a response (Flask re-sends it whenever the session changes)."""
    fresh = headers.get("Set-Cookie")
    return fresh.split(";", 1)[0] if fresh else cookie


def _form(port, path, cookie):
    status, headers, page = request(port, "GET", path, cookie=cookie)
    match = TOKEN_RE.search(page.decode())
    return _cookie(headers, cookie), match.group(1) or match.group(2)


def login(port, email) -> str:
    """Sign in through the real forms; an admin completes two-factor with the bench secret."""
    cookie, token = _form(port, "/login", None)
    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    status, headers, _ = request(port, "POST", "/login", body=body, cookie=cookie)
    if status != 302:
        raise RuntimeError(f"login failed for {email}: {status}")
    cookie = _cookie(headers, cookie)
    if headers.get("Location", "").endswith("/login/code"):
        import pyotp

        from crm.demo.scale import BENCH_TOTP_SECRET

        for _attempt in range(3):  # a code already used (a run a moment ago) is refused: wait a step
            cookie, token = _form(port, "/login/code", cookie)
            code = pyotp.TOTP(BENCH_TOTP_SECRET).now()
            body = urlencode({"code": code, "csrf_token": token})
            status, headers, _ = request(port, "POST", "/login/code", body=body, cookie=cookie)
            if status == 302:
                return _cookie(headers, cookie)
            time.sleep(31 - time.time() % 30)
        raise RuntimeError(f"two-factor sign-in failed for {email}: {status}")
    return cookie


def api_token(url: str, email: str) -> tuple[str, str]:
    """A read-only personal token of the person, made in the bench database for this run."""
    from crm import create_app
    from crm.api import tokens
    from crm.auth.services import find_user_by_email
    from crm.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        _token, raw = tokens.create_personal_token(find_user_by_email(email), name="bench", scopes=["read"], days=1)
        db.session.commit()
        db.engine.dispose()
    return ("Authorization", f"Bearer {raw}")


def load_with_wrk(port, path, cookie, clients: int, seconds: float) -> dict:
    """The load from wrk (C, one thread per core): the client costs the 2-core machine almost
    nothing, so what is measured is the server. SQL/request from a probe request after a first one
    (which may compute and store what the next ones reuse, e.g. the dashboard's figures)."""
    request(port, "GET", path, cookie=cookie)
    _, headers, _ = request(port, "GET", path, cookie=cookie)
    command = ["wrk", f"--connections={clients}", f"--threads={min(clients, 2)}", f"--duration={seconds:g}s",
               "--timeout=30s", "--script", str(ROOT / "bench" / "wrk_report.lua"),
               "--header", "Accept-Language: fr-CA"]
    if isinstance(cookie, tuple):
        command += ["--header", f"{cookie[0]}: {cookie[1]}"]
    elif cookie:
        command += ["--header", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"],  # noqa: S603
                            capture_output=True, text=True, check=True).stdout
    found = json.loads(next(line for line in output.splitlines() if line.startswith("WRK_JSON "))[9:])
    elapsed = found["duration_us"] / 1e6
    return {
        "requests": found["requests"], "rps": found["requests"] / elapsed if elapsed else 0.0,
        "p50_ms": found["p50_us"] / 1000, "p95_ms": found["p95_us"] / 1000,
        "errors": found["errors"] + found["non_2xx"], "queries": int(headers.get("X-Query-Count", 0)),
    }


def load(port, path, cookie, clients: int, seconds: float) -> dict:
    latencies, queries, errors = [], [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, my_queries, my_errors = [], [], 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                status, headers, _ = request(port, "GET", path, cookie=cookie, conn=conn)
            except (OSError, http.client.HTTPException):
                my_errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - start)
            if status != 200:
                my_errors += 1
            my_queries.append(int(headers.get("X-Query-Count", 0)))
        conn.close()
        with lock:
            latencies.extend(mine)
            queries.extend(my_queries)
            errors[0] += my_errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies), "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "errors": errors[0], "queries": statistics.mode(queries) if queries else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factor", type=float, default=0, help="seed-scale factor (0: demo data only)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--only", help="comma-separated page names")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (default when installed) or Python threads")
    args = parser.parse_args()

    url = prepare_database(args.database, args.factor, args.fresh)
    server = Gunicorn({"DATABASE_URL": url, "QUERY_COUNT_HEADER": "1", "BENCHMARK_ENDPOINTS": "1",
                       "RATELIMIT_ENABLED": "false", "API_RATE_LIMIT": "1000000 per minute"}, args.workers)
    try:
        sessions = {}
        pages = [p for p in PAGES if not args.only or p.name in args.only.split(",") or p.name == "floor"]
        for page in pages:
            key = (page.role, page.api)
            if page.role and key not in sessions:
                sessions[key] = api_token(url, page.email) if page.api else login(server.port, page.email)
        paths = resolve_placeholders(url, pages)
        results = []
        drive = load_with_wrk if args.client == "wrk" else load
        for page in pages:
            result = drive(server.port, paths[page.name], sessions.get((page.role, page.api)), args.clients,
                           args.seconds)
            results.append({"page": page.name, "path": paths[page.name], **result})
            print(f"  {page.name:<24} {result['rps']:8.1f} req/s  p95 {result['p95_ms'] or 0:7.1f} ms", flush=True)
    finally:
        server.stop()
    floor = next(r for r in results if r["page"] == "floor")
    report(results, floor, args)
    return 0


def report(results, floor, args) -> None:
    title = (f"factor {args.factor:g} · {args.database} · {args.workers} workers · {args.clients} clients "
             f"({args.client}) · {args.seconds:g} s per page")
    lines = [f"### {title}", "", "| page | req/s | p50 ms | p95 ms | errors | SQL/req | ratio to floor |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ratio = r["rps"] / floor["rps"] if floor["rps"] else 0
        lines.append(f"| {r['page']} | {r['rps']:.1f} | {r['p50_ms'] or 0:.1f} | {r['p95_ms'] or 0:.1f} | "
                     f"{r['errors']} | {r['queries']} | {ratio:.2f} |")
    text = "\n".join(lines)
    print("\n" + text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}-f{args.factor:g}-{args.database}.md").write_text(text + "\n")
    (out / f"{stamp}-f{args.factor:g}-{args.database}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
