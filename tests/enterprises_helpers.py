"""Fixtures and helpers for the enterprises tests: two organizations, their people, and prefixed forms."""
import functools
import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy import event

from crm.auth.models import User
from crm.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD

_numbers = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    # Hashing with argon2 takes half a second: once per test run is enough.
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


def quick_user(app, organization, role="coach", **values) -> User:
    """Like ``make.user`` but reuses one password hash, so a world of people builds fast."""
    n = next(_numbers)
    with app.app_context():
        values = {"email": f"personne{n}@pole.example", "full_name": f"Personne {n}", **values}
        user = User(role=role, organization_id=organization.id, password_hash=_password_hash(), **values)
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


@dataclass
class World:
    org: object
    other_org: object
    admin: object
    manager: object
    coach: object
    colleague: object
    other_manager: object
    other_coach: object


@pytest.fixture
def world(app, make):
    org = make.organization(name="Pôle d'économie sociale de Montréal")
    other_org = make.organization(name="Pôle d'économie sociale de l'Estrie")
    office = make.organization(name="Bureau du programme")
    return World(
        org=org, other_org=other_org,
        admin=quick_user(app, office, "admin", full_name="Bureau Admin"),
        manager=quick_user(app, org, "manager", full_name="Gestionnaire Montréal"),
        coach=quick_user(app, org, "coach", full_name="Camille Conseil"),
        colleague=quick_user(app, org, "coach", full_name="Dominique Collègue"),
        other_manager=quick_user(app, other_org, "manager", full_name="Gestionnaire Estrie"),
        other_coach=quick_user(app, other_org, "coach", full_name="Alex Estrie"),
    )


def post_prefixed(client, path, prefix, data, *, page):
    """POST a form of the enterprise page whose fields carry ``prefix-`` (CSRF token included)."""
    token = csrf_token(client, page)
    payload = {f"{prefix}-{key}": value for key, value in data.items()}
    payload[f"{prefix}-csrf_token"] = token
    return client.post(path, data=payload)


class QueryCounter:
    """Counts (and keeps) the SQL statements the app sends while active."""

    def __init__(self, app):
        self.app = app
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _on_execute(self, _conn, _cursor, statement, *args, **kwargs):
        self.statements.append(statement)

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
