"""Several senders at the same moment never send a reminder twice; the CLI commands."""
import threading
from collections import Counter
from datetime import timedelta

import pytest

from crm import create_app
from crm.cohorts import timeutil
from crm.extensions import db
from crm.reminders import planning, sending
from tests.conftest import BASE_CONFIG
from tests.reminders_helpers import WEEK_BEFORE, build_world, rows
from tests.smtp import SMTPServer


def run_senders(database_uri, port, count):
    results, errors = {}, []
    barrier = threading.Barrier(count)
    # Each sender has its own app, engine and connections, as on separate machines; they are
    # built before the threads start (building Flask apps concurrently is not what is tested).
    apps = {f"sender-{i}": create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "MAIL_PORT": port})
            for i in range(count)}

    def worker(name):
        app = apps[name]
        try:
            with app.app_context():
                barrier.wait()
                results[name] = sending.send_due(now=WEEK_BEFORE, me=name, batch=10).sent
                db.session.remove()
                db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"sender-{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.postgres_only
def test_two_senders_at_the_same_moment_send_each_of_200_reminders_once(app, make, database_uri):
    build_world(app, make, contacts=199)
    with app.app_context():
        planning.plan_all(WEEK_BEFORE - timedelta(minutes=1))
        db.session.commit()
    assert len([r for r in rows(app) if r.offset_minutes == 7 * 1440]) == 200
    with SMTPServer() as server:
        results = run_senders(database_uri, server.port, 2)
        per_id = Counter(m["Message-ID"] for m in server.messages)
    assert sum(results.values()) == 200 and all(results.values()), results  # both took part
    assert len(per_id) == 200 and set(per_id.values()) == {1}
    assert len(rows(app, state="sent")) == 200


def test_two_senders_on_sqlite_or_postgresql_never_send_twice(app, make, database_uri):
    build_world(app, make, contacts=39)
    with app.app_context():
        planning.plan_all(WEEK_BEFORE - timedelta(minutes=1))
        db.session.commit()
    with SMTPServer() as server:
        results = run_senders(database_uri, server.port, 2)
        per_id = Counter(m["Message-ID"] for m in server.messages)
    assert sum(results.values()) == 40 and set(per_id.values()) == {1} and len(per_id) == 40


def test_cli_send_delivers_then_a_second_run_sends_nothing(app, make, runner, smtp_server):
    soon = timeutil.now() + timedelta(hours=10)  # the 1-day reminder is due at once
    build_world(app, make, contacts=2, starts=soon, ends=soon + timedelta(hours=2))
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    assert "sent 3" in first.output and len(smtp_server.messages) == 3
    second = runner.invoke(args=["reminders", "send"])
    assert "sent 0" in second.output and len(smtp_server.messages) == 3


def test_cli_test_email_reports_success_and_errors(app, runner, smtp_server):
    ok = runner.invoke(args=["reminders", "test-email", "admin@coop.example"])
    assert ok.exit_code == 0 and "Test email sent to admin@coop.example" in ok.output
    assert smtp_server.mailbox.to("admin@coop.example")
    smtp_server.mailbox.refuse = True
    refused = runner.invoke(args=["reminders", "test-email", "admin@coop.example"])
    assert refused.exit_code == 1 and "could not send through 127.0.0.1" in refused.output and "451" in refused.output


def test_the_worker_stops_cleanly_on_sigterm(app, database_uri, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "DATABASE_URL": database_uri, "MAIL_PORT": "1", "VIRAGE_INSTANCE_PATH": str(tmp_path),
           "FLASK_APP": "wsgi.py"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "reminders", "send", "--loop", "--interval", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "worker started" in worker.stdout.readline()
        time.sleep(1.5)  # at least one round
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0 and "reminder worker stopped" in output
