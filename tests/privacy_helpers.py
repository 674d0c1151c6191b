"""Helpers for the privacy and operations tests."""
from contextlib import contextmanager

from sqlalchemy import event, select

from crm.contacts.models import Contact
from crm.extensions import db


@contextmanager
def count_queries(app):
    """Counts the SQL statements sent while the block runs: ``with count_queries(app) as n: …; n()``."""
    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", before)


def contact_ids(app, enterprise) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(
            select(Contact.id).where(Contact.enterprise_id == enterprise.id).order_by(Contact.id)))


def load_contact(app, contact_id) -> Contact:
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        db.session.expunge(contact)
        return contact


def setup_people(make):
    """An admin, and a manager and coach of the organization that owns an enterprise with 2 contacts."""
    org = make.organization()
    other = make.organization()
    people = {
        "admin": make.user(role="admin", organization=other),
        "manager": make.user(role="manager", organization=org),
        "coach": make.user(role="coach", organization=org),
        "other": make.user(role="manager", organization=other),
    }
    enterprise = make.enterprise(org, coach=people["coach"], contacts=2)
    return people, enterprise
