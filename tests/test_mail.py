import contextlib
import socket

import pytest

from crm import mail


def test_a_message_reaches_the_smtp_server(app, smtp_server):
    with app.app_context():
        message = mail.new_message(to="marie@coop.example", subject="Rappel : séance",
                                   text="Bonjour Marie", html="<p>Bonjour Marie</p>")
        mail.send(message)
    received = smtp_server.mailbox.to("marie@coop.example")
    assert len(received) == 1
    assert received[0]["Subject"] == "Rappel : séance"
    assert received[0].get_body(("plain",)).get_content().strip() == "Bonjour Marie"
    assert received[0]["Message-ID"] == message["Message-ID"]


def test_a_refusing_server_raises_mail_error(app, smtp_server):
    smtp_server.mailbox.refuse = True  # 451: try again later
    with app.app_context(), pytest.raises(mail.MailError) as raised:
        mail.send(mail.new_message(to="x@coop.example", subject="s", text="t"))
    assert not raised.value.permanent


def test_an_unreachable_server_raises_mail_error(app):
    app.config.update(MAIL_PORT=1, MAIL_TIMEOUT=2)
    with app.app_context(), pytest.raises(mail.MailError) as raised:
        mail.send(mail.new_message(to="x@coop.example", subject="s", text="t"))
    assert not raised.value.permanent


@pytest.mark.parametrize(("reply", "permanent"), [("550 5.1.1 No such mailbox", True),
                                                  ("450 4.2.1 Mailbox busy", False)])
def test_only_a_5yz_refusal_of_the_recipient_is_for_good(app, smtp_server, reply, permanent):
    smtp_server.mailbox.refuse_recipients, smtp_server.mailbox.refusal = {"x@coop.example"}, reply
    with app.app_context(), pytest.raises(mail.MailError) as raised:
        mail.send(mail.new_message(to="x@coop.example", subject="s", text="t"))
    assert raised.value.permanent is permanent


def test_a_long_french_subject_keeps_its_spaces(app, smtp_server):
    subject = "Rappel : séance « Transformation numérique » du mercredi 18 novembre 2026 à 14 h 30 à Sherbrooke"
    with app.app_context():
        mail.send(mail.new_message(to="marie@coop.example", subject=subject, text="Bonjour"))
    assert smtp_server.messages[0]["Subject"] == subject


def messages(count, **fields):
    return [mail.new_message(to=f"personne{i}@coop.example", subject=f"Message {i}", text="Bonjour", **fields)
            for i in range(count)]


def test_a_mail_session_sends_many_messages_over_one_connection(app, smtp_server):
    with app.app_context(), mail.MailSession() as outbox:
        sent = messages(5)
        for message in sent:
            outbox.send(message)
    assert smtp_server.mailbox.connections == 1
    assert [m["Message-ID"] for m in smtp_server.messages] == [m["Message-ID"] for m in sent]


def test_a_connection_dropped_mid_way_is_reopened_once_and_nothing_is_sent_twice(app, smtp_server):
    smtp_server.mailbox.hang_up_at = {3}  # the server hangs up when the third message begins
    with app.app_context(), mail.MailSession() as outbox:
        sent = messages(5)
        for message in sent:
            outbox.send(message)
    assert [m["Message-ID"] for m in smtp_server.messages] == [m["Message-ID"] for m in sent]
    assert smtp_server.mailbox.connection_of == [1, 1, 2, 2, 2]


def test_a_server_that_hangs_up_again_fails_that_message_only(app, smtp_server):
    smtp_server.mailbox.hang_up_at = {1, 2}  # the first message, and its one retry
    with app.app_context(), mail.MailSession() as outbox:
        first, second = messages(2)
        with pytest.raises(mail.MailError, match="SMTPServerDisconnected"):
            outbox.send(first)
        outbox.send(second)
    assert [m["Message-ID"] for m in smtp_server.messages] == [second["Message-ID"]]
    assert smtp_server.mailbox.connections == 3


def test_a_refused_recipient_fails_its_message_and_the_connection_goes_on(app, smtp_server):
    smtp_server.mailbox.refuse_recipients = {"personne1@coop.example"}
    with app.app_context(), mail.MailSession() as outbox:
        first, refused, third = messages(3)
        outbox.send(first)
        with pytest.raises(mail.MailError, match="550"):
            outbox.send(refused)
        outbox.send(third)
    assert [m["To"] for m in smtp_server.messages] == ["personne0@coop.example", "personne2@coop.example"]
    assert smtp_server.mailbox.connections == 1


def test_a_silent_server_costs_one_timeout_per_session_not_one_per_message(app):
    with socket.socket() as silent:  # accepts connections (in its backlog) and never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        app.config.update(MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=1)
        with app.app_context(), mail.MailSession() as outbox:
            for message in messages(3):
                with pytest.raises(mail.MailError, match="timed out"):
                    outbox.send(message)
        silent.setblocking(False)
        attempts = []
        with contextlib.suppress(BlockingIOError):
            while True:
                attempts.append(silent.accept()[0])
        for connection in attempts:
            connection.close()
    assert len(attempts) == 1
