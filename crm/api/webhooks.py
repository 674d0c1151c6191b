"""Webhooks: an organization's subscriptions, and the deliveries queued when something happens.

The features' services send the signals of crm/signals.py; the receivers here add one delivery per
subscription that wants the event, in the same transaction (nothing is told of what is rolled back).
The worker sends them (crm/api/webhook_sending.py). Endpoints must be HTTPS on a public address:
private, loopback, link-local and reserved addresses are refused unless ``WEBHOOK_ALLOWED_PRIVATE_HOSTS``
names the host as the address writes it (a relay on the same network; the tests' local server),
where plain HTTP is accepted too. The host is resolved once per delivery and the connection goes to
an address so checked (``check_endpoint``), so a name cannot pass the check and then resolve elsewhere.
"""
import ipaddress
import logging
import secrets
import socket
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context
from sqlalchemy import select

from crm import signals
from crm.api.models import WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscription
from crm.audit import services as audit
from crm.db import as_utc, utcnow
from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.i18n import _l

log = logging.getLogger(__name__)


class EndpointRefused(DomainError):
    def __init__(self, message):
        super().__init__(message, field="url")


def allowed_private_hosts() -> set[str]:
    return {h.strip().lower() for h in current_app.config.get("WEBHOOK_ALLOWED_PRIVATE_HOSTS", ()) if h.strip()}


@dataclass(frozen=True)
class Endpoint:
    """Where a delivery goes: the host as written (the Host header and the TLS server name) and the
    addresses it resolved to once, all checked, which the connection uses (no second lookup)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def check_endpoint(url: str) -> Endpoint:
    """The endpoint Virage may post to, resolved once, else ``EndpointRefused``.

    Every address the host resolves to must be public: a name that also resolves to a private or
    loopback address is refused, however its other addresses look (DNS rebinding). Only a host the
    setting names as written in the address may resolve to private ones: allowing 127.0.0.1 does not
    allow a name that resolves there.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise EndpointRefused(_l("Enter a web address such as https://example.org/hooks/virage.")) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise EndpointRefused(_l("Enter a web address such as https://example.org/hooks/virage."))
    allowed = host in allowed_private_hosts()
    if parts.scheme == "http" and not allowed:
        raise EndpointRefused(_l("The address must begin with https://: payloads are not sent in clear."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = tuple(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)))
    except (OSError, UnicodeError):
        raise EndpointRefused(_l("This address's host cannot be found.")) from None
    if not addresses:
        raise EndpointRefused(_l("This address's host cannot be found."))
    if not allowed and not all(_is_public(address) for address in addresses):
        raise EndpointRefused(_l("This address is on a private or local network: Virage does not send there."))
    return Endpoint(parts.scheme, host, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                    addresses)


def create_subscription(organization, *, actor, url: str, events) -> tuple[WebhookSubscription, str]:
    """Returns the subscription and its secret, shown once."""
    chosen = [e for e in WEBHOOK_EVENTS if e in set(events)]
    if not chosen:
        raise DomainError(_l("Choose at least one event."), field="events")
    check_endpoint(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(organization_id=organization.id, url=url.strip(), events=" ".join(chosen),
                                       secret=secret, created_by_id=getattr(actor, "id", None))
    db.session.add(subscription)
    db.session.flush()
    audit.record("create", subscription, actor=actor, changes={"url": [None, subscription.url],
                                                               "events": [None, subscription.events]})
    log.info("webhook %s for organization %s created by user %s", subscription.id, organization.id,
             getattr(actor, "id", None))
    return subscription, secret


def deactivate(subscription: WebhookSubscription, *, actor) -> None:
    if not subscription.is_active:
        raise DomainError(_l("This subscription is already stopped."))
    subscription.is_active = False
    db.session.execute(WebhookDelivery.__table__.update()
                       .where(WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.state == "pending")
                       .values(state="cancelled", updated_at=utcnow()))
    audit.record("deactivate", subscription, actor=actor, changes={"is_active": [True, False]})


def queue(subscription: WebhookSubscription, event: str, data: dict) -> WebhookDelivery:
    message_id = uuid.uuid4().hex
    now = utcnow()
    delivery = WebhookDelivery(
        subscription_id=subscription.id, event=event, due_at=now, message_id=message_id,
        payload={"id": message_id, "event": event, "occurred_at": now.isoformat(),
                 "organization_id": subscription.organization_id, "data": data})
    db.session.add(delivery)
    return delivery


def send_test(subscription: WebhookSubscription, *, actor) -> WebhookDelivery:
    if not subscription.is_active:
        raise DomainError(_l("This subscription is stopped."))
    return queue(subscription, "ping", {"message": "Test from Virage", "sent_by": getattr(actor, "id", None)})


def _subscriptions(organization_id: int) -> list[tuple[int, str]]:
    """(id, events) of the organization's active subscriptions, read once per request."""
    cache = g.setdefault("virage_webhooks", {}) if has_request_context() else {}
    if organization_id not in cache:
        with db.session.no_autoflush:
            cache[organization_id] = db.session.execute(
                select(WebhookSubscription.id, WebhookSubscription.events)
                .where(WebhookSubscription.organization_id == organization_id,
                       WebhookSubscription.is_active.is_(True))).all()
    return cache[organization_id]


def _notify(organization_id: int, event: str, data) -> None:
    wanted = [id_ for id_, events in _subscriptions(organization_id) if event in events.split()]
    for subscription_id in wanted:
        subscription = db.session.get(WebhookSubscription, subscription_id)
        queue(subscription, event, data() if callable(data) else data)


def _when(value):
    return as_utc(value).isoformat() if value is not None else None


ENTERPRISE_PAYLOAD = ("id", "name", "neq", "stage", "region_code", "city", "organization_id", "coach_id")


def _enterprise(enterprise) -> dict:
    """An Enterprise, or a row of its columns, as payloads name it."""
    return {name: getattr(enterprise, name) for name in ENTERPRISE_PAYLOAD}


def _session(session) -> dict:
    return {"id": session.id, "title": session.title, "starts_at": _when(session.starts_at),
            "ends_at": _when(session.ends_at), "status": session.status, "mode": session.mode,
            "cohort_id": session.cohort_id, "enterprise_id": session.enterprise_id}


@signals.enterprise_created.connect
def enterprise_created(enterprise, **_extra):
    _notify(enterprise.organization_id, "enterprise.created", lambda: {"enterprise": _enterprise(enterprise)})


@signals.enterprises_imported.connect
def enterprises_imported(_sender, *, organization_id, enterprise_ids, **_extra):
    wanted = [id_ for id_, events in _subscriptions(organization_id) if "enterprise.created" in events.split()]
    if not wanted or not enterprise_ids:
        return
    # The import wrote them without objects: one read of what the payload names, for the whole chunk.
    rows = db.session.execute(select(*(getattr(Enterprise, name) for name in ENTERPRISE_PAYLOAD))
                              .where(Enterprise.id.in_(enterprise_ids)).order_by(Enterprise.id)).all()
    for subscription_id in wanted:
        subscription = db.session.get(WebhookSubscription, subscription_id)
        for row in rows:
            queue(subscription, "enterprise.created", {"enterprise": _enterprise(row)})


@signals.stage_changed.connect
def stage_changed(enterprise, *, change, **_extra):
    _notify(enterprise.organization_id, "enterprise.stage_changed", lambda: {
        "enterprise": _enterprise(enterprise), "from_stage": change.from_stage, "to_stage": change.to_stage,
        "changed_at": _when(change.changed_at or utcnow())})


@signals.session_planned.connect
def session_planned(session, **_extra):
    _notify(session.organization_id, "session.planned", lambda: {"session": _session(session)})


@signals.session_rescheduled.connect
def session_rescheduled(session, *, old_starts_at, old_ends_at, **_extra):
    _notify(session.organization_id, "session.rescheduled", lambda: {
        "session": _session(session), "old_starts_at": _when(old_starts_at), "old_ends_at": _when(old_ends_at)})


@signals.session_cancelled.connect
def session_cancelled(session, **_extra):
    _notify(session.organization_id, "session.cancelled", lambda: {"session": _session(session)})


@signals.registration_created.connect
def registration_created(registration, *, event, **_extra):
    # The person's name and address go to the tool of the organization whose event it is: what its
    # managers read in the event's registrations list.
    _notify(event.organization_id, "registration.created", lambda: {
        "registration": {
            "id": registration.id, "status": registration.status, "first_name": registration.first_name,
            "last_name": registration.last_name, "email": registration.email, "language": registration.language,
            "enterprise_name": registration.enterprise_name, "neq": registration.neq, "city": registration.city,
            "region_code": registration.region_code, "consent_reminders": registration.consent_reminders,
            "consent_follow_up": registration.consent_follow_up, "created_at": _when(registration.created_at)},
        "event": {"id": event.id, "title": event.title, "kind": event.kind, "starts_at": _when(event.starts_at),
                  "ends_at": _when(event.ends_at)}})
