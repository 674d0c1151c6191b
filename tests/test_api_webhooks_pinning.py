"""Webhook endpoints and DNS: the host is resolved once, every address it resolves to is checked,
and the delivery connects to a checked address, keeping the endpoint's name in the Host header and
as the TLS server name. A name cannot pass the check and then resolve to a private address."""
import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from crm.api import webhook_sending, webhooks
from crm.api.models import WebhookDelivery, WebhookSubscription
from crm.enterprises import services as enterprise_services
from crm.extensions import db
from tests.conftest import csrf_token
from tests.webhook_server import WebhookServer

REAL_GETADDRINFO = socket.getaddrinfo
PUBLIC = "93.184.215.14"


class FakeDNS:
    """Answers ``names`` with the addresses given (one list per lookup, the last one repeated), and
    counts the lookups; any other host is resolved for real (the literal addresses connected to)."""

    def __init__(self, **names):
        self.names = {name.replace("_", "."): list(answers) for name, answers in names.items()}
        self.lookups: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.names:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.lookups.append(host)
        answers = self.names[host]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(addresses, Exception):
            raise addresses
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                 (a, port)) for a in addresses]


@pytest.fixture
def dns(monkeypatch):
    def install(**names):
        fake = FakeDNS(**names)
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    return install


def _queue_one(app, organization, url):
    """A subscription stored as it was accepted (its address public then), and one event for it."""
    with app.app_context():
        db.session.add(WebhookSubscription(organization_id=organization.id, url=url, events="enterprise.created",
                                           secret="whsec_test"))
        db.session.flush()
        enterprise_services.create_enterprise(actor=None, name="Coop DNS", legal_form="obnl", region_code="05",
                                              city="Magog", organization_id=organization.id)
        db.session.commit()


def test_a_name_resolving_to_loopback_is_refused_even_when_the_address_itself_is_allowed(app, make, dns):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ("127.0.0.1",)
    dns(rebind_test=[["127.0.0.1"]], mixed_test=[[PUBLIC, "10.1.2.3"]], mapped_test=[["::ffff:127.0.0.1"]],
        linklocal_test=[["169.254.169.254"]], reserved_test=[["240.0.0.1"]], public_test=[[PUBLIC]])
    with app.app_context():
        for host in ("rebind.test", "mixed.test", "mapped.test", "linklocal.test", "reserved.test"):
            with pytest.raises(webhooks.EndpointRefused):
                webhooks.check_endpoint(f"https://{host}/hooks")
        endpoint = webhooks.check_endpoint("https://public.test:8443/hooks?x=1")
    assert (endpoint.host, endpoint.port, endpoint.path, endpoint.addresses) == (
        "public.test", 8443, "/hooks?x=1", (PUBLIC,))


def test_a_name_that_rebinds_to_loopback_after_subscribing_is_refused_at_send_time(app, make, dns):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ("127.0.0.1",)
    organization = make.organization()
    with WebhookServer() as server:
        fake = dns(rebind_test=[["127.0.0.1"]])
        _queue_one(app, organization, f"https://rebind.test:{server.port}/hooks/virage")
        with app.app_context():
            assert webhook_sending.send_due(me="w")["failed"] == 1
            delivery = db.session.scalar(select(WebhookDelivery))
            assert delivery.state == "failed" and "privé" in delivery.last_error
        assert server.received == [] and fake.lookups == ["rebind.test"]


def test_the_delivery_connects_to_the_address_checked_with_its_name_as_host(app, make, dns):
    organization = make.organization()
    with WebhookServer() as server:
        app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ("relay.test",)
        # The second lookup would fail: the delivery must not make one.
        fake = dns(relay_test=[["127.0.0.1"], OSError("a second lookup")])
        _queue_one(app, organization, f"http://relay.test:{server.port}/hooks/virage")
        with app.app_context():
            assert webhook_sending.send_due(me="w")["sent"] == 1
    assert fake.lookups == ["relay.test"]
    assert server.received[0]["headers"]["Host"] == f"relay.test:{server.port}"


def _certificate(tmp_path, name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class TLSServer:
    """An HTTPS server on 127.0.0.1 with a certificate for ``name``; records the TLS server names
    (SNI) and Host headers it receives."""

    def __init__(self, cert_file, key_file):
        self.server_names, self.hosts = [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.hosts.append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        context.sni_callback = lambda _sock, name, _ctx: outer.server_names.append(name)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_https_checks_the_certificate_against_the_name_not_the_address(app, make, dns, tmp_path, monkeypatch):
    cert_file, key_file = _certificate(tmp_path, "hooks.test")
    monkeypatch.setattr(webhook_sending, "tls_context", lambda: ssl.create_default_context(cafile=str(cert_file)))
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ("hooks.test",)
    organization = make.organization()
    with TLSServer(cert_file, key_file) as server:
        dns(hooks_test=[["127.0.0.1"]])
        _queue_one(app, organization, f"https://hooks.test:{server.port}/hooks/virage")
        with app.app_context():
            assert webhook_sending.send_due(me="w")["sent"] == 1
    assert server.server_names == ["hooks.test"] and server.hosts == [f"hooks.test:{server.port}"]


def test_a_certificate_for_another_name_is_refused(app, make, dns, tmp_path, monkeypatch):
    cert_file, key_file = _certificate(tmp_path, "other.test")
    monkeypatch.setattr(webhook_sending, "tls_context", lambda: ssl.create_default_context(cafile=str(cert_file)))
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ("hooks.test",)
    organization = make.organization()
    with TLSServer(cert_file, key_file) as server:
        dns(hooks_test=[["127.0.0.1"]])
        _queue_one(app, organization, f"https://hooks.test:{server.port}/hooks/virage")
        with app.app_context():
            assert webhook_sending.send_due(me="w")["retried"] == 1
            assert "certificate" in db.session.scalar(select(WebhookDelivery.last_error)).lower()
    assert server.hosts == []


def test_the_subscription_page_refuses_a_name_resolving_to_a_private_address(app, client, auth, make, dns):
    app.config["WEBHOOK_ALLOWED_PRIVATE_HOSTS"] = ("127.0.0.1",)
    organization = make.organization()
    auth.sign_in(make.user("manager", organization))
    dns(intranet_test=[["10.0.0.8"]])
    response = client.post("/webhooks", data={"url": "https://intranet.test/hooks", "events": ["session.planned"],
                                              "csrf_token": csrf_token(client, "/webhooks")})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(WebhookSubscription.id)) is None
