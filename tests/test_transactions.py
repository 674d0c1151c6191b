"""A failure in the middle of a multi-step action leaves nothing half-done (issue 8, reliability).

The audit service is made to fail on its Nth call, after some records were already changed in
the same request: the request ends in the translated error page and the database is as before.
(Imports and anonymization have their own such tests: test_imports_bad_input, test_privacy_erasure.)
"""
import pytest
from sqlalchemy import select

from crm.audit import services as audit_services
from crm.audit.models import AuditEntry
from crm.cohorts.models import CohortMembership
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from tests.cohorts_helpers import make_cohort
from tests.conftest import csrf_token
from tests.enterprises_helpers import world  # noqa: F401 - fixture


def fail_on_call(monkeypatch, n):
    real = audit_services.record
    calls = {"count": 0}

    def record(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == n:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_services, "record", record)
    return calls


def snapshot(app):
    with app.app_context():
        return (
            dict(db.session.execute(select(Enterprise.id, Enterprise.coach_id)).all()),
            dict(db.session.execute(select(Enterprise.id, Enterprise.stage)).all()),
            db.session.scalar(select(db.func.count()).select_from(StageChange)),
            db.session.scalar(select(db.func.count()).select_from(CohortMembership)),
            db.session.scalar(select(db.func.count()).select_from(AuditEntry)),
        )


@pytest.fixture
def failing_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_bulk_assign_failing_midway_changes_nothing(failing_app, client, auth, make, world, monkeypatch):  # noqa: F811
    app = failing_app
    chosen = [make.enterprise(world.org, region_code="03") for _ in range(5)]
    auth.sign_in(world.manager)
    token = csrf_token(client, "/enterprises")
    before = snapshot(app)
    calls = fail_on_call(monkeypatch, 3)  # two enterprises are already reassigned when it fails
    response = client.post("/enterprises/bulk", data={
        "csrf_token": token, "action": "assign", "scope": "selected",
        "ids": [str(e.id) for e in chosen], "filters": "", "coach_id": str(world.colleague.id)})
    assert calls["count"] == 3
    assert response.status_code == 500 and "Rien n&#39;a été enregistré" in response.get_data(as_text=True)
    assert snapshot(app) == before
    monkeypatch.undo()
    response = client.post("/enterprises/bulk", data={
        "csrf_token": token, "action": "assign", "scope": "selected",
        "ids": [str(e.id) for e in chosen], "filters": "", "coach_id": str(world.colleague.id)})
    assert response.status_code == 302  # and the same action succeeds once the fault is gone
    coaches = snapshot(app)[0]
    assert all(coaches[e.id] == world.colleague.id for e in chosen)


def test_cohort_enrolment_failing_midway_changes_nothing(failing_app, client, auth, make, world, monkeypatch):  # noqa: F811
    app = failing_app
    cohort = make_cohort(app, world.org, name="Cohorte formation", kind="training")
    chosen = [make.enterprise(world.org, stage="awareness", region_code="06") for _ in range(4)]
    auth.sign_in(world.manager)
    token = csrf_token(client, "/enterprises")
    data = {"csrf_token": token, "action": "enrol", "scope": "selected", "ids": [str(e.id) for e in chosen],
            "filters": "", "cohort_id": str(cohort), "move_stage": "y"}
    before = snapshot(app)
    calls = fail_on_call(monkeypatch, 4)  # memberships and stage changes are under way when it fails
    response = client.post("/enterprises/bulk", data=data)
    assert calls["count"] == 4
    assert response.status_code == 500 and "Rien n&#39;a été enregistré" in response.get_data(as_text=True)
    assert snapshot(app) == before
    monkeypatch.undo()
    assert client.post("/enterprises/bulk", data=data).status_code == 302
    _, stages, _, memberships, _ = snapshot(app)
    assert memberships == before[3] + 4 and all(stages[e.id] == "training" for e in chosen)
