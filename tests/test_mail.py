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
    smtp_server.mailbox.refuse = True
    with app.app_context(), pytest.raises(mail.MailError):
        mail.send(mail.new_message(to="x@coop.example", subject="s", text="t"))


def test_an_unreachable_server_raises_mail_error(app):
    app.config.update(MAIL_PORT=1, MAIL_TIMEOUT=2)
    with app.app_context(), pytest.raises(mail.MailError):
        mail.send(mail.new_message(to="x@coop.example", subject="s", text="t"))


def test_a_long_french_subject_keeps_its_spaces(app, smtp_server):
    subject = "Rappel : séance « Transformation numérique » du mercredi 18 novembre 2026 à 14 h 30 à Sherbrooke"
    with app.app_context():
        mail.send(mail.new_message(to="marie@coop.example", subject=subject, text="Bonjour"))
    assert smtp_server.messages[0]["Subject"] == subject
