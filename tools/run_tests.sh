#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then on PostgreSQL where it is reachable, and says which ran.
# With CI=true, PostgreSQL is required. Extra arguments go to pytest. The tests run in
# VIRAGE_TEST_WORKERS processes (pytest-xdist; default 2, one per core here; 0 runs them in this one).
# The tests marked database_independent (no database: lint, architecture, catalogs, pure functions)
# run on the SQLite pass only; the PostgreSQL pass deselects them and says how many. So do the browser
# tests (tests/browser/): what Chromium draws and runs is the same page on either database, and the
# HTTP tests check each page's answers on both.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG_URL=${VIRAGE_TEST_PG_URL:-postgresql+psycopg://127.0.0.1/test}
export VIRAGE_TEST_PG_URL=$PG_URL

pg_reachable() {
  "$BIN/python" - "$PG_URL" <<'PY' >/dev/null 2>&1
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1]).connect() as conn:
    conn.execute(text("select 1"))
PY
}

# The browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== Installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null
  else
    echo "/usr/bin/chromium is missing: sudo apt-get install chromium (the browser tests need it)" >&2
  fi
fi

WORKERS=(-n "${VIRAGE_TEST_WORKERS:-2}")

ran=()
status=0
echo "== Test suite on SQLite"
VIRAGE_TEST_DATABASE=sqlite "$BIN/python" -m pytest "${WORKERS[@]}" "$@" || status=1
ran+=("SQLite")

if pg_reachable; then
  echo "== Test suite on PostgreSQL ($PG_URL), without the database_independent and browser tests (run on the SQLite pass)"
  VIRAGE_TEST_DATABASE=postgresql "$BIN/python" -m pytest "${WORKERS[@]}" --deselect-database-independent \
    --deselect-browser "$@" \
    || status=1
  ran+=("PostgreSQL")
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_URL, and CI requires it." >&2
  status=1
else
  echo "== PostgreSQL not reachable at $PG_URL: skipped (set VIRAGE_TEST_PG_URL to point at one)."
fi

echo "== Databases tested: ${ran[*]}"
[ $status -eq 0 ] && echo "== All test runs passed." || echo "== Some test runs FAILED." >&2
exit $status
