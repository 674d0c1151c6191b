"""Webhooks: subscribed on a page (secret shown once), queued by the features' signals in the request's
transaction, posted by the worker to a real local server with an HMAC-SHA256 signature, retried with
backoff then marked failed, never posted to a private address unless allowed, and sent exactly once
with two workers on PostgreSQL."""
import hashlib
import hmac
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm import create_app
from crm.api import webhook_sending, webhooks
from crm.api.models import WebhookDelivery, WebhookSubscription
from crm.auth.models import User
from crm.cohorts import services as cohort_services
from crm.cohorts.models import ProgrammeSession
from crm.db import as_utc, utcnow
from crm.enterprises import services as enterprise_services
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports import services as import_services
from crm.organizations.models import Organization
from tests.api_helpers import bearer, personal_token
from tests.conftest import BASE_CONFIG, csrf_token
from tests.events_helpers import make_event, register
from tests.route_access import build_world
from tests.webhook_server import WebhookServer

LOCAL = ("127.0.0.1",)


def _subscribe(client, server, events=("enterprise.created", "enterprise.stage_changed")) -> str:
    response = client.post("/webhooks", data={"url": server.url, "events": list(events),
                                              "csrf_token": csrf_token(client, "/webhooks")})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True).split('id="new-secret">', 1)[1].split("<", 1)[0]


def _verify(secret: str, request: dict) -> bool:
    parts = dict(part.split("=", 1) for part in request["headers"]["X-Virage-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_an_event_reaches_a_real_server_signed(app, client, auth, runner, make):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
    organization = make.organization()
    manager = make.user("manager", organization)
    auth.sign_in(manager)
    with WebhookServer() as server:
        secret = _subscribe(client, server)
        assert secret.startswith("whsec_") and secret not in client.get("/webhooks").get_data(as_text=True)
        headers = bearer(personal_token(app, manager))
        created = client.post("/api/v1/enterprises", headers=headers, json={
            "name": "Coop Signal", "legal_form": "obnl", "region_code": "05", "city": "Magog"})
        assert created.status_code == 201
        refused = client.post("/api/v1/enterprises", headers=headers, json={
            "name": "Coop Signal", "legal_form": "obnl", "region_code": "05", "city": "Magog"})
        assert refused.status_code == 409  # rolled back: nobody is told
        make.enterprise(make.organization())  # another organization's: not this subscription's
        result = runner.invoke(args=["reminders", "send"])
        assert result.exit_code == 0, result.output
        assert len(server.received) == 1
        request = server.received[0]
        assert _verify(secret, request) and not _verify(secret + "x", request)
        assert request["headers"]["X-Virage-Event"] == "enterprise.created"
        assert request["json"]["data"]["enterprise"]["id"] == created.json["id"]
        assert request["json"]["organization_id"] == organization.id
        runner.invoke(args=["reminders", "send"])
        assert len(server.received) == 1  # delivered once
    with app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.state, delivery.response_status, delivery.attempts) == ("sent", 204, 1)
    log = client.get(f"/webhooks/{delivery.subscription_id}").get_data(as_text=True)
    assert "HTTP 204" in log and "enterprise.created" in log


def test_a_failing_endpoint_is_retried_with_backoff_then_marked_failed(app, make):
    app.config.update(WEBHOOK_ALLOWED_PRIVATE_HOSTS=LOCAL, WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_RETRY_BASE_SECONDS=60)
    organization = make.organization()
    with WebhookServer(status=500) as server, app.app_context():
        webhooks.create_subscription(db.session.get(Organization, organization.id), actor=None, url=server.url,
                                     events=["enterprise.created"])
        enterprise_services.create_enterprise(actor=None, name="Coop Panne", legal_form="obnl", region_code="05",
                                              city="Magog", organization_id=organization.id)
        db.session.commit()
        now = utcnow()
        assert webhook_sending.send_due(me="w", now=now) == {"sent": 0, "retried": 1, "failed": 0}
        assert webhook_sending.send_due(me="w", now=now + timedelta(seconds=30))["retried"] == 0  # not yet
        assert webhook_sending.send_due(me="w", now=now + timedelta(seconds=61))["retried"] == 1
        assert webhook_sending.send_due(me="w", now=now + timedelta(seconds=61 + 119))["retried"] == 0
        assert webhook_sending.send_due(me="w", now=now + timedelta(seconds=61 + 121)) == \
            {"sent": 0, "retried": 0, "failed": 1}
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.state, delivery.response_status, delivery.attempts) == ("failed", 500, 3)
        assert delivery.last_error == "HTTP 500"
        assert len(server.received) == 3
        assert len({r["headers"]["X-Virage-Delivery"] for r in server.received}) == 1  # the same delivery


def test_private_and_loopback_addresses_are_refused_unless_allowed(app, client, auth, make):
    organization = make.organization()
    auth.sign_in(make.user("manager", organization))
    with WebhookServer() as server:
        for url in (server.url, "https://127.0.0.1/x", "https://10.0.0.8/x", "https://[::1]/x",
                    "https://localhost/x", "http://example.org/x", "ftp://example.org/x",
                    "https://user:pw@example.org/x"):
            response = client.post("/webhooks", data={"url": url, "events": ["session.planned"],
                                                      "csrf_token": csrf_token(client, "/webhooks")})
            assert response.status_code == 400, url
        app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
        _subscribe(client, server, events=["enterprise.created"])
        with app.app_context():
            enterprise_services.create_enterprise(actor=None, name="Coop Locale", legal_form="obnl",
                                                  region_code="05", city="Magog", organization_id=organization.id)
            db.session.commit()
            app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ()  # the setting changed since: refused at send time
            assert webhook_sending.send_due(me="w")["failed"] == 1
        assert server.received == []


def test_the_send_a_test_button(app, client, auth, make):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
    organization = make.organization()
    auth.sign_in(make.user("manager", organization))
    with WebhookServer() as server:
        secret = _subscribe(client, server, events=["session.cancelled"])
        with app.app_context():
            subscription_id = db.session.scalar(select(WebhookSubscription.id))
        page = f"/webhooks/{subscription_id}"
        response = client.post(f"{page}/test", data={"csrf_token": csrf_token(client, page)})
        assert response.status_code == 302
        with app.app_context():
            webhook_sending.send_due(me="w")
        assert [r["json"]["event"] for r in server.received] == ["ping"] and _verify(secret, server.received[0])
        assert "HTTP 204" in client.get(page).get_data(as_text=True)
        client.post(f"{page}/stop", data={"csrf_token": csrf_token(client, page)})
        with app.app_context():
            assert db.session.get(WebhookSubscription, subscription_id).is_active is False


def test_sessions_and_stage_changes_are_events(app, make):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
    world = build_world(app, make)
    with WebhookServer() as server, app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.name == "Pôle A"))
        webhooks.create_subscription(organization, actor=None, url=server.url,
                                     events=["enterprise.stage_changed", "session.rescheduled", "session.cancelled"])
        db.session.commit()
        coach = db.session.get(User, world.people["coach"].id)
        enterprise = db.session.get(Enterprise, world.ids["enterprise_id"])
        enterprise_services.change_stage(enterprise, "awareness", actor=coach)
        session = db.session.get(ProgrammeSession, world.ids["session_id"])
        later = timedelta(hours=1)
        cohort_services.reschedule_session(session, actor=coach, starts_at=as_utc(session.starts_at) + later,
                                           ends_at=as_utc(session.ends_at) + later)
        cohort_services.cancel_session(session, actor=coach, reason="Salle fermée")
        db.session.commit()
        webhook_sending.send_due(me="w")
    events = [r["json"]["event"] for r in server.received]
    assert sorted(events) == ["enterprise.stage_changed", "session.cancelled", "session.rescheduled"]
    moved = next(r["json"]["data"] for r in server.received if r["json"]["event"] == "enterprise.stage_changed")
    assert (moved["from_stage"], moved["to_stage"]) == ("identified", "awareness")


def test_the_enterprises_an_import_creates_are_events(app, make):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
    organization, other = make.organization(), make.organization()
    with WebhookServer() as server, app.app_context():
        webhooks.create_subscription(db.session.get(Organization, organization.id), actor=None, url=server.url,
                                     events=["enterprise.created"])
        for owner, names in ((organization, ("Alpha", "Beta")), (other, ("Gamma", "Delta"))):
            batch = import_services.start_import(
                f"Nom;Région;Forme juridique;Ville\r\nCoop {names[0]};Estrie;Coopérative de travail;Magog\r\n"
                f"Coop {names[1]};Estrie;Coopérative de travail;Orford\r\n".encode(),
                "a.csv", organization=db.session.get(Organization, owner.id), actor=None)
            import_services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
            assert import_services.commit_import(batch, actor=None, update_empty=False)["created"] == 2
        db.session.commit()
        webhook_sending.send_due(me="w")
    created = sorted((r["json"]["data"]["enterprise"]["name"], r["json"]["organization_id"]) for r in server.received)
    assert created == [("Coop Alpha", organization.id), ("Coop Beta", organization.id)]
    assert {r["json"]["data"]["enterprise"]["stage"] for r in server.received} == {"identified"}


def test_a_registration_on_the_public_form_is_an_event(app, client, make):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
    organization = make.organization()
    event_id = make_event(app, organization, capacity=1)
    other_event = make_event(app, make.organization())
    with WebhookServer() as server:
        with app.app_context():
            webhooks.create_subscription(db.session.get(Organization, organization.id), actor=None, url=server.url,
                                         events=["registration.created"])
            db.session.commit()
        register(client, event_id)
        register(client, event_id)  # the same address again: no new registration, no new event
        register(client, event_id, email="marc@coop.example", first_name="Marc")  # the waiting list
        register(client, other_event)  # another organization's event
        with app.app_context():
            webhook_sending.send_due(me="w")
    payloads = [r["json"] for r in server.received]
    assert [p["event"] for p in payloads] == ["registration.created"] * 2
    first, second = sorted(payloads, key=lambda p: p["data"]["registration"]["id"])
    assert first["data"]["event"]["id"] == event_id and first["organization_id"] == organization.id
    assert (first["data"]["registration"]["status"], first["data"]["registration"]["email"]) == \
        ("confirmed", "lea@coop.example")
    assert (second["data"]["registration"]["status"], second["data"]["registration"]["first_name"]) == \
        ("waiting", "Marc")


@pytest.mark.postgres_only
def test_two_workers_deliver_each_event_exactly_once(app, make, database_uri):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = LOCAL
    organization = make.organization()
    with WebhookServer() as server:
        with app.app_context():
            webhooks.create_subscription(db.session.get(Organization, organization.id), actor=None, url=server.url,
                                         events=["enterprise.created"])
            for n in range(60):
                enterprise_services.create_enterprise(actor=None, name=f"Coop {n}", legal_form="obnl",
                                                      region_code="05", city="Magog", organization_id=organization.id)
            db.session.commit()
        config = {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "WEBHOOK_ALLOWED_PRIVATE_HOSTS": LOCAL}
        apps = [create_app(config) for _ in range(2)]
        barrier, errors, sent = threading.Barrier(2), [], Counter()

        def worker(index):
            try:
                with apps[index].app_context():
                    barrier.wait()
                    for _round in range(10):
                        sent[index] += webhook_sending.send_due(me=f"worker-{index}", batch=5)["sent"]
                    db.session.remove()
                    db.engine.dispose()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    deliveries = Counter(r["headers"]["X-Virage-Delivery"] for r in server.received)
    assert len(deliveries) == 60 and set(deliveries.values()) == {1}
    assert sent[0] + sent[1] == 60 and sent[0] and sent[1]
