"""What the benchmark scripts share: a throw-away database, gunicorn serving the app, percentiles."""
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import free_port  # noqa: E402

BIN = Path(sys.executable).parent
# One key for every process that touches a bench database: the TOTP secrets are sealed with it.
SECRET_KEY = "benchmark-only-secret"  # noqa: S105


def fresh_database(url: str | None, prefix: str) -> tuple[str, callable]:
    """A new database and the function that drops it: a temporary SQLite file when ``url`` is None,
    else a database of its own on that PostgreSQL server."""
    if url is None:
        path = Path(tempfile.mkdtemp()) / f"{prefix}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    name = f"virage_{prefix}_{uuid.uuid4().hex[:8]}".replace("-", "_")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return re.sub(r"/[^/]*$", f"/{name}", url), drop


class Gunicorn:
    """``wsgi:app`` served by gunicorn on 127.0.0.1 with ``workers`` processes and the environment
    ``env`` (added to this process's), ready once ``ready_path`` answers 200."""

    def __init__(self, env: dict, workers: int, ready_path: str = "/login"):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env={**os.environ, "SECRET_KEY": SECRET_KEY, **env})
        deadline = time.time() + 60
        while time.time() < deadline:
            if self._answers(ready_path):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def _answers(self, path: str) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", path)
            return conn.getresponse().status == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:  # workers stuck on a page slower than gunicorn's timeout
            self.process.kill()
            self.process.wait(30)


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
