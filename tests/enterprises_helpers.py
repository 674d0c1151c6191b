"""Fixtures and helpers for the enterprises tests: two organizations, their people, and prefixed forms."""
from dataclasses import dataclass

import pytest
from sqlalchemy import event

from crm.extensions import db
from tests.conftest import csrf_token


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
def world(make):
    org = make.organization(name="Pôle d'économie sociale de Montréal")
    other_org = make.organization(name="Pôle d'économie sociale de l'Estrie")
    return World(
        org=org, other_org=other_org,
        admin=make.user(role="admin", organization=make.organization(name="Bureau du programme"),
                        full_name="Bureau Admin"),
        manager=make.user(role="manager", organization=org, full_name="Gestionnaire Montréal"),
        coach=make.user(role="coach", organization=org, full_name="Camille Conseil"),
        colleague=make.user(role="coach", organization=org, full_name="Dominique Collègue"),
        other_manager=make.user(role="manager", organization=other_org, full_name="Gestionnaire Estrie"),
        other_coach=make.user(role="coach", organization=other_org, full_name="Alex Estrie"),
    )


def post_prefixed(client, path, prefix, data, *, page):
    """POST a form of the enterprise page whose fields carry ``prefix-`` (CSRF token included)."""
    token = csrf_token(client, page)
    payload = {f"{prefix}-{key}": value for key, value in data.items()}
    payload[f"{prefix}-csrf_token"] = token
    return client.post(path, data=payload)


class QueryCounter:
    """Counts the SQL statements the app sends while active."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def _on_execute(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
