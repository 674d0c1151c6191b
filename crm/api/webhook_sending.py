"""The worker's side of webhooks: claim the due deliveries (crm/outbox.py: SKIP LOCKED on
PostgreSQL, so parallel workers never send one twice), post each one signed, record the answer.

The signature: ``X-Virage-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
subscription's secret>``; a receiver recomputes it, compares in constant time and refuses old
timestamps (replays). A failed delivery is tried again after ``WEBHOOK_RETRY_BASE_SECONDS``, doubling
each time, and marked failed after ``WEBHOOK_MAX_ATTEMPTS``; redirects are not followed. The
connection goes to the address ``check_endpoint`` resolved and checked (DNS pinning), with the
endpoint's name in the Host header and as the TLS server name.
"""
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
from datetime import timedelta

from flask import current_app

from crm import outbox, signals
from crm.api.models import WebhookDelivery
from crm.api.webhooks import Endpoint, EndpointRefused, check_endpoint
from crm.db import utcnow
from crm.extensions import db

log = logging.getLogger(__name__)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an address already resolved and checked; the Host header stays the endpoint's name."""

    def __init__(self, endpoint: Endpoint, *, timeout: float):
        super().__init__(endpoint.host, endpoint.port, timeout=timeout)
        self.endpoint = endpoint

    def open_socket(self) -> socket.socket:
        failure: OSError | None = None
        for address in self.endpoint.addresses:
            try:
                return socket.create_connection((address, self.endpoint.port), self.timeout)
            except OSError as error:
                failure = error
        raise failure or OSError("no address")

    def connect(self) -> None:
        self.sock = self.open_socket()


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """HTTPS the same way: the certificate is checked against the endpoint's name (SNI too), not the
    address connected to."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, endpoint: Endpoint, *, timeout: float, context: ssl.SSLContext):
        super().__init__(endpoint, timeout=timeout)
        self.tls = context

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(self.open_socket(), server_hostname=self.endpoint.host)


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def post(delivery: WebhookDelivery, now) -> int:
    """Posts the delivery; returns the HTTP status. Raises ``EndpointRefused`` or ``OSError``."""
    subscription = delivery.subscription
    endpoint = check_endpoint(subscription.url)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(now.timestamp())
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    if endpoint.scheme == "https":
        connection = PinnedHTTPSConnection(endpoint, timeout=timeout, context=tls_context())
    else:
        connection = PinnedHTTPConnection(endpoint, timeout=timeout)
    try:
        connection.request("POST", endpoint.path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": "Virage-Webhooks/1",
            "X-Virage-Event": delivery.event, "X-Virage-Delivery": delivery.message_id,
            "X-Virage-Signature": signature(subscription.secret, timestamp, body)})
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except http.client.HTTPException as error:
        raise OSError(f"bad answer: {error.__class__.__name__}") from None
    finally:
        connection.close()


def send_due(*, me: str, batch: int | None = None, now=None) -> dict:
    now = now or utcnow()
    counts = {"sent": 0, "retried": 0, "failed": 0}
    limit = batch or current_app.config["REMINDER_BATCH_SIZE"]
    for delivery_id in outbox.claim(WebhookDelivery, me, now, limit):
        delivery = db.session.get(WebhookDelivery, delivery_id)
        status, error, final = None, None, False
        try:
            status = post(delivery, now)
        except EndpointRefused as refused:
            error, final = str(refused.message), True
        except OSError as failure:
            error = str(failure) or failure.__class__.__name__
        if status is not None and 200 <= status < 300:
            outbox.acknowledge(WebhookDelivery, delivery_id, me, now, state="sent", sent_at=now,
                               response_status=status, last_error=None)
            counts["sent"] += 1
            continue
        error = error or f"HTTP {status}"
        if final or delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
            outbox.acknowledge(WebhookDelivery, delivery_id, me, now, state="failed", response_status=status,
                               last_error=error[:2000])
            counts["failed"] += 1
            log.warning("webhook delivery %s failed after %s attempt(s): %s", delivery_id, delivery.attempts, error)
        else:
            retry_at = now + timedelta(seconds=current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]
                                       * 2 ** (delivery.attempts - 1))
            outbox.acknowledge(WebhookDelivery, delivery_id, me, now, state="pending", next_attempt_at=retry_at,
                               response_status=status, last_error=error[:2000])
            counts["retried"] += 1
    return counts


@signals.outboxes.connect
def send_webhook_deliveries(_sender, *, me, batch=None, **_extra):
    counts = send_due(me=me, batch=batch)
    return sum(counts.values())
