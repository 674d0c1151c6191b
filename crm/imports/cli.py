"""``flask crm import FILE --org CODE [--dry-run] [--update-empty] [--language en]``: the same
services as the web, saying what it does in French unless asked otherwise."""
import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from crm.auth.models import User
from crm.extensions import db
from crm.i18n import _, force_locale, ngettext
from crm.imports import services
from crm.imports.matching import outcome
from crm.imports.validation import FIELDS, issue_message
from crm.organizations.models import Organization
from crm.transaction import step


class _Bar:
    """Turns the services' progress(phase, done, total) calls into a click progress bar."""

    def __init__(self):
        self.bar = None
        self.phase = None
        self.shown = 0

    def __call__(self, phase, done, total):
        if phase != self.phase:
            self.close()
            self.phase, self.shown = phase, 0
            self.bar = click.progressbar(length=max(total, 1), label=str(services.PHASES[phase]).ljust(20))
            self.bar.__enter__()
        if done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Code of the organization that will own the enterprises.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--update-empty", is_flag=True, help="Fill the empty fields of enterprises already in Virage.")
@click.option("--user", "user_email", help="Email of the person recorded as the author (default: none).")
@click.option("--language", type=click.Choice(["fr", "en"]), default=None,
              help="Language of the messages (default: BABEL_DEFAULT_LOCALE, French).")
def import_command(file, org_code, dry_run, update_empty, user_email, language):
    """Import enterprises and contacts from a CSV or XLSX file."""
    logging.getLogger("crm").setLevel(logging.WARNING)
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        _import(file, org_code, dry_run=dry_run, update_empty=update_empty, user_email=user_email)


def summary(counts: dict) -> dict:
    """The counts of an import in words: "4 enterprises created", "1 row skipped"…"""
    return {
        "created": ngettext("%(num)s enterprise created", "%(num)s enterprises created", counts["created"]),
        "updated": ngettext("%(num)s enterprise updated", "%(num)s enterprises updated", counts["updated"]),
        "skipped": ngettext("%(num)s row skipped", "%(num)s rows skipped", counts["skipped"]),
        "invalid": ngettext("%(num)s invalid row", "%(num)s invalid rows", counts["invalid"]),
    }


def _import(file: Path, org_code: str, *, dry_run: bool, update_empty: bool, user_email: str | None) -> None:
    organization = db.session.scalar(select(Organization).where(Organization.code == org_code))
    if organization is None:
        raise click.ClickException(_("Unknown organization code: %(code)s", code=org_code))
    actor = None
    if user_email:
        actor = db.session.scalar(select(User).where(User.email == user_email.strip().lower()))
        if actor is None:
            raise click.ClickException(_("Unknown user: %(email)s", email=user_email))
    bar = _Bar()
    with step():
        try:
            batch = services.start_import(file.read_bytes(), file.name, organization=organization, actor=actor)
            mapped = ", ".join(f"{batch.headers[int(i)]} → {FIELDS[k].label}" for i, k in batch.mapping.items())
            click.echo(_("Columns: %(columns)s", columns=mapped))
            counts = services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults,
                                             actor=actor, progress=bar)
            if not dry_run:
                counts = services.commit_import(batch, actor=actor, update_empty=update_empty, progress=bar)
        finally:
            bar.close()
        for issue in batch.issues:
            click.echo("  " + _("Line %(line)s, %(column)s: %(problem)s", line=issue["line"], column=issue["column"],
                                problem=issue_message(issue)))
        batch_id = batch.id
        if dry_run:
            db.session.rollback()  # what the check wrote (the file, its rows) goes: the step commits nothing
    if dry_run:
        click.echo(_("Dry run, nothing written. It would make: %(created)s, %(updated)s, %(skipped)s, "
                     "%(invalid)s.", **summary(outcome(counts, update_empty))))
    else:
        click.echo(_("Import %(id)s done: %(created)s, %(updated)s, %(skipped)s, %(invalid)s.",
                     id=batch_id, **summary(counts)))
