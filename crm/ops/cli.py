"""``flask crm backup``: a consistent copy of the SQLite database, the app still running."""
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from crm.ops.backup import BackupError, backup_sqlite


@click.command("backup")
@with_appcontext
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the copy (default: instance/backups/virage-DATE.sqlite3).")
def backup_command(output: Path | None):
    """Copy the SQLite database safely while Virage runs (PostgreSQL: use pg_dump)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if output is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        output = Path(current_app.instance_path) / "backups" / f"virage-{stamp}.sqlite3"
    try:
        path = backup_sqlite(uri, output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes); integrity check ok.")
