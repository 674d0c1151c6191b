"""``flask crm retention``: anonymize contacts of enterprises archived for too long (Law 25)."""
import click
from flask import current_app
from flask.cli import with_appcontext

from crm.db import as_utc
from crm.extensions import db
from crm.privacy import services
from crm.transaction import step


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List the contacts that would be anonymized; change nothing.")
def retention_command(dry_run: bool):
    """Anonymize the contacts of enterprises archived longer than RETENTION_ARCHIVED_DAYS."""
    days = int(current_app.config["RETENTION_ARCHIVED_DAYS"])
    if dry_run:
        contacts = list(db.session.scalars(services.expired_contacts_query(days)))
        click.echo(f"{len(contacts)} contact(s) of enterprises archived more than {days} days ago "
                   "would be anonymized (dry run: nothing changed).")
    else:
        with step():
            contacts = services.anonymize_expired_contacts(days, actor=None)
        click.echo(f"{len(contacts)} contact(s) of enterprises archived more than {days} days ago "
                   "anonymized.")
    for contact in contacts:
        archived = as_utc(contact.enterprise.archived_at).date().isoformat()
        click.echo(f"  contact {contact.id} - enterprise {contact.enterprise_id} "
                   f"({contact.enterprise.name}), archived {archived}")
