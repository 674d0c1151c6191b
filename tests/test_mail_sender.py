"""Emails come from a name people recognize: « Virage — <the organization> » when an email is about
one organization, « Virage » otherwise; the name set in MAIL_DEFAULT_SENDER replaces « Virage »."""
from datetime import timedelta

from crm import mail
from crm.extensions import db
from crm.organizations.models import Organization
from crm.reminders import planning, sending
from tests.reminders_helpers import WEEK_BEFORE, attachment_calendar, build_world

ORGANIZATION = "Réseau d'économie sociale, Estrie"


def _sender(message):
    (address,) = message["From"].addresses
    return address.display_name, address.addr_spec


def _send_reminders(app, make, name=ORGANIZATION):
    world = build_world(app, make)
    with app.app_context():
        db.session.get(Organization, world.organization.id).name = name
        planning.plan_all(WEEK_BEFORE - timedelta(days=1))
        db.session.commit()
        sending.send_due(now=WEEK_BEFORE + timedelta(minutes=1), me="sender")
    return world


def test_a_reminder_comes_from_virage_and_the_sessions_organization(app, make, smtp_server):
    _send_reminders(app, make)
    received = smtp_server.mailbox.to("contact")[0]
    assert _sender(received) == (f"Virage — {ORGANIZATION}", "no-reply@virage.example")
    organizer = attachment_calendar(received).walk("VEVENT")[0]["ORGANIZER"]
    assert str(organizer) == "mailto:no-reply@virage.example" and organizer.params["CN"] == f"Virage — {ORGANIZATION}"


def test_the_name_is_encoded_on_the_wire_and_the_configured_name_replaces_virage(app, smtp_server):
    app.config["MAIL_DEFAULT_SENDER"] = '"Programme, Virage" <envoi@reseau.example>'
    with app.app_context():
        message = mail.new_message(to="marie@coop.example", subject="Rappel", text="Bonjour",
                                   organization="Pôle « Sud »\nMontérégie")
        wire = message.as_bytes(policy=mail.SEND_POLICY)
        assert wire.isascii() and b"=?utf-8?" in wire  # RFC 2047: no raw UTF-8 in the header
        mail.send(message)
        mail.send(mail.new_message(to="jean@coop.example", subject="Lien", text="Bonjour"))
    assert _sender(smtp_server.mailbox.to("marie@coop.example")[0]) == (
        "Programme, Virage — Pôle « Sud » Montérégie", "envoi@reseau.example")
    assert _sender(smtp_server.mailbox.to("jean@coop.example")[0]) == ("Programme, Virage", "envoi@reseau.example")


def test_an_email_about_no_organization_comes_from_virage(app, smtp_server):
    app.config["MAIL_DEFAULT_SENDER"] = "envoi@reseau.example"  # a bare address: the name is « Virage »
    with app.app_context():
        mail.send(mail.new_message(to="jean@coop.example", subject="Lien", text="Bonjour"))
    assert _sender(smtp_server.mailbox.to("jean@coop.example")[0]) == ("Virage", "envoi@reseau.example")
