import click
from flask.cli import AppGroup
from sqlalchemy import select, text

from crm.auth import sealed, services
from crm.extensions import db
from crm.organizations.models import Organization
from crm.reference import ROLES
from crm.transaction import step

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
    with step():
        user = services.create_user(email=email, full_name=full_name, password=password,
                                    role=role, organization=organization, locale=locale)
    click.echo(f"User {user.email} created (id {user.id}).")


@users_cli.command("reseal")
def reseal_command():
    """Seal every TOTP secret with the first of SECRET_BOX_KEYS (after adding a new key in front)."""
    with step():
        rows = db.session.execute(text("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")).all()
        unreadable = []
        for user_id, value in rows:
            try:
                resealed = sealed.reseal(value)
            except sealed.InvalidToken:
                unreadable.append(user_id)
                continue
            db.session.execute(text("UPDATE users SET totp_secret = :value WHERE id = :id"),
                               {"value": resealed, "id": user_id})
        _reseal_pending(sealed)
    click.echo(f"{len(rows) - len(unreadable)} two-factor secret(s) sealed with the first key.")
    if unreadable:
        raise click.ClickException(f"no key of SECRET_BOX_KEYS opens the secrets of users {unreadable}: "
                                   "add the key that sealed them, or reset their two-factor.")


def _reseal_pending(sealed) -> None:
    """Set-ups under way and recovery codes waiting to be shown (minutes old): resealed too; one no key
    opens is dropped, and that set-up simply starts again."""
    rows = db.session.execute(text("SELECT user_id, secret, recovery_codes FROM two_factor_pending")).all()
    for user_id, *values in rows:
        resealed = []
        for value in values:
            try:
                resealed.append(None if value is None else sealed.reseal(value))
            except sealed.InvalidToken:
                resealed.append(None)
        db.session.execute(text("UPDATE two_factor_pending SET secret = :secret, recovery_codes = :codes "
                                "WHERE user_id = :id"), {"secret": resealed[0], "codes": resealed[1], "id": user_id})
