"""Command-line entry points, composed here and nowhere else: ``flask crm …`` (this module's seed
commands and the features' commands it adds: import, backup, retention), ``flask translate …``,
``flask users …``. The reminders' worker (``flask reminders …``) is its blueprint's group (``bp.cli``)."""
import logging
import subprocess  # noqa: S404 - runs pybabel with fixed arguments
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from crm.auth.cli import users_cli
from crm.imports.cli import import_command
from crm.ops.cli import backup_command
from crm.privacy.cli import retention_command
from crm.transaction import step

crm_cli = AppGroup("crm", help="Virage administration.")
translate_cli = AppGroup("translate", help="Extract, update and compile the translations.")

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = ["-k", "_l", "-k", "lazy_pgettext:1c,2", "-k", "pgettext:1c,2", "-k", "ngettext:1,2"]


@crm_cli.command("seed-demo")
def seed_demo_command():
    """Create demo organizations, users and enterprises (idempotent) and print the logins."""
    from crm.demo.seed import DEMO_PASSWORD, seed_demo

    logging.getLogger("crm").setLevel(logging.WARNING)  # hundreds of creations: keep it readable
    with step():
        logins = seed_demo()
    click.echo("Demo data ready. Sign in at http://127.0.0.1:5000 with:")
    for email, role, org in logins:
        click.echo(f"  {role:<8} {email:<36} {org}")
    click.echo(f"Password for every demo account: {DEMO_PASSWORD}")
    click.echo("Admins set up two-factor authentication at their first sign-in "
               "(an authenticator app on a phone: Aegis, 2FAS, Google or Microsoft Authenticator).")


@crm_cli.command("seed-scale")
@click.option("--factor", type=float, default=1.0, show_default=True,
              help="1 = Québec (11,200 enterprises); 10 = ten times the province.")
def seed_scale_command(factor):
    """Fill an EMPTY database with Québec-scale benchmark data (reproducible, bulk inserts)."""
    # No step here: seed_scale commits the rows itself, before the statistics pass that reads them.
    import time

    from crm.demo.scale import BENCH_ADMIN_EMAIL, ScaleDataExists, expected_rows, seed_scale
    from crm.demo.seed import DEMO_PASSWORD

    if factor <= 0:
        raise click.BadParameter("must be positive", param_hint="--factor")
    logging.getLogger("crm").setLevel(logging.WARNING)
    began = time.perf_counter()
    with click.progressbar(length=expected_rows(factor), label="Generating", show_eta=True) as bar:
        try:
            counts = seed_scale(factor, progress=bar.update)
        except ScaleDataExists:
            raise click.ClickException(
                "This database already holds enterprises: seed-scale only fills an empty, migrated "
                "database (drop it or use another one).") from None
    elapsed = time.perf_counter() - began
    click.echo(f"{counts.enterprises} enterprises, {counts.contacts} contacts, {counts.cohorts} cohorts, "
               f"{counts.sessions} sessions, {counts.activities} timeline entries in {elapsed:.1f} s.")
    click.echo(f"Demo logins (password {DEMO_PASSWORD}) and the benchmark admin {BENCH_ADMIN_EMAIL} "
               "(published two-factor secret: never on a real database).")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.call(command, cwd=ROOT) != 0:  # noqa: S603
        raise click.ClickException("pybabel " + " ".join(args[:1]) + " failed")


@translate_cli.command("extract")
def extract_command():
    """Extract messages into translations/messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", *KEYWORDS, "--no-location", "--sort-output",
             "-o", "translations/messages.pot", "crm")


@translate_cli.command("update")
def update_command():
    """Extract, then merge new messages into the fr and en catalogs."""
    extract_command.callback()
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations",
             "--no-fuzzy-matching", "--ignore-obsolete")


@translate_cli.command("compile")
def compile_command():
    """Compile the catalogs (.po → .mo)."""
    _pybabel("compile", "-d", "translations", "--statistics")


def register_cli(app: Flask) -> None:
    for command in (import_command, backup_command, retention_command):
        crm_cli.add_command(command)
    app.cli.add_command(crm_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(users_cli)
