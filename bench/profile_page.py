#!/usr/bin/env python3
"""Where a page spends its time: one page, in process, signed in as a benchmark persona.

    .venv/bin/python bench/profile_page.py --database postgresql --factor 10 "enterprises (manager)"
    .venv/bin/python bench/profile_page.py --database postgresql --factor 10 "dashboard (admin)" --pyinstrument

Serves the page through Flask's test client (no gunicorn, no network) against the benchmark
database that `bench/run.py` prepared, and prints the mean and minimum time per request, the SQL
time, and the number of statements; with --pyinstrument, a call tree of the last requests. CPU
costs found here are what the load benchmark multiplies by its concurrent clients.
"""
import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import PAGES, resolve_placeholders  # noqa: E402
from bench.run import PASSWORD, SECRET_KEY, TOKEN_RE, api_token, database_url  # noqa: E402


def sign_in(client, email):
    page = client.get("/login").get_data(as_text=True)
    token = TOKEN_RE.search(page)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token.group(1) or token.group(2)})
    if response.headers.get("Location", "").endswith("/login/code"):
        import pyotp

        from crm.demo.scale import BENCH_TOTP_SECRET

        page = client.get("/login/code").get_data(as_text=True)
        token = TOKEN_RE.search(page)
        response = client.post("/login/code", data={"code": pyotp.TOTP(BENCH_TOTP_SECRET).now(),
                                                    "csrf_token": token.group(1) or token.group(2)})
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed for {email}: {response.status_code}")


def write_in_organization(app, email, *, own: bool) -> None:
    """A committed change to one enterprise of the viewer's organization, or of another one."""
    from sqlalchemy import select

    from crm.auth.models import User
    from crm.db import utcnow
    from crm.enterprises.models import Enterprise
    from crm.extensions import db

    with app.app_context():
        viewer = db.session.scalar(select(User.organization_id).where(User.email == email))
        mine = Enterprise.organization_id == viewer
        enterprise = db.session.scalars(select(Enterprise).where(mine if own else ~mine)
                                        .order_by(Enterprise.id).limit(1)).one()
        enterprise.updated_at = utcnow()
        db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", help="a page name of bench/pages.py")
    parser.add_argument("--factor", type=float, default=10)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--cprofile", action="store_true", help="functions by own time instead")
    parser.add_argument("--write-before", choices=["own", "elsewhere"],
                        help="before each timed request, commit a write (an enterprise's updated_at) in the "
                             "viewer's organization (own: every view is a first view of cached figures or "
                             "files) or in another one (elsewhere); not timed, its SQL not counted")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                        help="application setting, e.g. CACHE_TYPE=RedisCache (values as in the environment)")
    args = parser.parse_args()

    from sqlalchemy import event

    from crm import create_app
    from crm.extensions import db

    page = next(p for p in PAGES if p.name == args.page)
    url = database_url(args.database, args.factor)
    path = resolve_placeholders(url, [page])[page.name]
    from crm.config import load_environment

    settings = {}
    load_environment(settings, dict(item.split("=", 1) for item in args.config))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "BENCHMARK_ENDPOINTS": True, **settings})
    sql = {"count": 0, "seconds": 0.0}
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, *_args):
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, _cursor, statement, *_args):
        if sql.get("paused"):
            return
        sql["count"] += 1
        if os.environ.get("SHOW_SQL") and sql.get("show"):
            text = " ".join(statement.split())
            print("   SQL", text[:120], "…", text[-160:])
        sql["seconds"] += time.perf_counter() - conn.info.pop("started")

    # The garbage collector's settings to try, when asked: GC_FREEZE=1, GC_THRESHOLD=10000,20,100.
    if os.environ.get("GC_THRESHOLD"):
        gc.set_threshold(*map(int, os.environ["GC_THRESHOLD"].split(",")))
    if os.environ.get("GC_FREEZE"):
        gc.collect()
        gc.freeze()
    gc_time = {"seconds": 0.0, "collections": [0, 0, 0]}

    def _gc_callback(phase, info):
        if phase == "start":
            gc_time["started"] = time.process_time()
        else:
            gc_time["seconds"] += time.process_time() - gc_time.pop("started", time.process_time())
            gc_time["collections"][info["generation"]] += 1

    gc.callbacks.append(_gc_callback)
    client = app.test_client()
    headers = {"Accept-Language": "fr-CA"}
    if page.api:
        headers.update([api_token(url, page.email)])
    elif page.role:
        sign_in(client, page.email)
    client.get(path, headers=headers).close()  # warm the caches and templates
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    elif args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.start = profiler.enable
        profiler.stop = profiler.disable
    timings, cpu = [], []
    sql.update(count=0, seconds=0.0, show=True)
    client.get(path, headers=headers).close()
    sql.update(count=0, seconds=0.0, show=False)
    gc_time.update(seconds=0.0, collections=[0, 0, 0])
    for _ in range(args.requests):
        if args.write_before:
            sql["paused"] = True
            write_in_organization(app, page.email if page.role else None, own=args.write_before == "own")
            sql["paused"] = False
        if profiler:
            profiler.start()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        body = response.get_data()
        response.close()
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if profiler:
            profiler.stop()
        assert response.status_code == 200, response.status_code
    n = args.requests
    print(f"{page.name}: {path}")
    print(f"  mean {1000 * statistics.mean(timings):.1f} ms · min {1000 * min(timings):.1f} ms · "
          f"app CPU {1000 * statistics.median(cpu):.1f} ms (median) · "
          f"SQL {1000 * sql['seconds'] / n:.1f} ms in {sql['count'] / n:.0f} statements · "
          f"{len(body) / 1024:.0f} KiB · garbage collection {1000 * gc_time['seconds'] / n:.1f} ms "
          f"(collections by generation {gc_time['collections']})")
    if args.pyinstrument:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    elif args.cprofile:
        import pstats

        stats = pstats.Stats(profiler)
        if os.environ.get("PSTATS_FILE"):
            stats.dump_stats(os.environ["PSTATS_FILE"])
        print(f"  {stats.total_calls / n:,.0f} Python function calls per request (steady, unlike times)")
        stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("ROWS", 35)))
        if os.environ.get("CALLERS"):
            stats.print_callers(os.environ["CALLERS"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
