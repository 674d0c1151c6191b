import click
from flask.cli import AppGroup
from sqlalchemy import select

from crm.auth import services
from crm.domain import DomainError
from crm.extensions import db
from crm.organizations.models import Organization
from crm.reference import ROLES

users_cli = AppGroup("users", help="Manage the people who sign in to Virage.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--org", "org_code", required=True, help="Organization code")
@click.option("--locale", type=click.Choice(["fr", "en"]), default=None)
@click.password_option()
def create_user_command(email, full_name, role, org_code, locale, password):
    """Create a user."""
    organization = db.session.scalar(select(Organization).where(Organization.code == org_code))
    if organization is None:
        raise click.BadParameter(f"no organization with code {org_code!r}", param_hint="--org")
    try:
        user = services.create_user(email=email, full_name=full_name, password=password,
                                    role=role, organization=organization, locale=locale)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"User {user.email} created (id {user.id}).")
