"""A failure in the middle of a multi-step action leaves nothing half-done; the request's transaction step.

The audit service is made to fail on its Nth call, after some records were already changed in
the same request: the request ends in the translated error page and the database is as before.
(Imports and anonymization have their own such tests: test_imports_bad_input, test_privacy_erasure.)
"""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

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


def test_a_refused_form_writes_nothing_and_a_failed_commit_says_nothing_was_saved(failing_app, client, auth, make,
                                                                                     world, monkeypatch):  # noqa: F811
    """The request's step: a refusal rolls back what the service flushed; a commit that fails rolls
    back, answers the error page and drops the success message the view had flashed."""
    app = failing_app
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.manager)
    token = csrf_token(client, f"/enterprises/{enterprise.id}")
    before = snapshot(app)
    # Back to "identified" with no comment: refused by the service, after nothing else was written.
    refused = client.post(f"/enterprises/{enterprise.id}/stage",
                          data={"csrf_token": token, "stage-stage": "identified", "stage-comment": ""})
    assert refused.status_code == 400
    assert snapshot(app) == before

    def failing_commit(self):
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    with app.app_context():
        session_class = type(db.session())
    monkeypatch.setattr(session_class, "commit", failing_commit)
    failed = client.post(f"/enterprises/{enterprise.id}/stage",
                         data={"csrf_token": token, "stage-stage": "awareness", "stage-comment": ""})
    monkeypatch.undo()
    failed_page = failed.get_data(as_text=True)
    assert failed.status_code == 500 and "Rien n&#39;a été enregistré" in failed_page
    assert "Étape changée." not in failed_page  # the view's success message is dropped
    assert snapshot(app) == before
    assert "Étape changée." not in client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert client.post(f"/enterprises/{enterprise.id}/stage", data={
        "csrf_token": token, "stage-stage": "awareness", "stage-comment": ""}).status_code == 302
    assert snapshot(app)[1][enterprise.id] == "awareness"


@pytest.mark.parametrize(("status", "kept"), [(200, True), (302, True), (400, False), (404, False), (500, False)])
def test_the_step_commits_a_success_and_rolls_back_any_other_answer(app, status, kept):
    from flask import Response

    from crm.organizations.models import Organization
    from crm.transaction import finish_transaction

    with app.test_request_context("/"):
        db.session.add(Organization(code="written", name="Écrite par la requête", kind="regional"))
        db.session.flush()
        finish_transaction(Response(status=status))
    with app.app_context():
        written = db.session.scalar(select(Organization).where(Organization.code == "written"))
    assert (written is not None) is kept


@pytest.mark.parametrize(("raised", "kept"), [(None, True), ("refusal", False), ("fault", False)])
def test_a_commands_step_commits_when_it_ends_and_rolls_back_when_it_raises(app, raised, kept):
    """The command line's step: a command that ends commits; a refusal ends it with its message and
    exit status 1, any other error with its own; neither leaves a write behind."""
    import click
    from flask.cli import with_appcontext

    from crm.domain import DomainError
    from crm.organizations.models import Organization
    from crm.transaction import step

    @click.command()
    @with_appcontext
    def write():
        with step():
            db.session.add(Organization(code="written", name="Écrite par la commande", kind="regional"))
            db.session.flush()
            if raised == "refusal":
                raise DomainError("Refusé par la règle.")
            if raised == "fault":
                raise RuntimeError("the database went away")
        click.echo("written")

    result = app.test_cli_runner().invoke(write)
    with app.app_context():
        written = db.session.scalar(select(Organization).where(Organization.code == "written"))
    assert (written is not None) is kept
    assert result.exit_code == (0 if kept else 1)
    assert ("written" in result.output) is kept
    if raised == "refusal":
        assert "Refusé par la règle." in result.output
    if raised == "fault":
        assert isinstance(result.exception, RuntimeError)
