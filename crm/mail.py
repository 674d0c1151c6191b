"""Sending email through the configured SMTP server (MAIL_* settings)."""
import email.policy
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

log = logging.getLogger(__name__)

# Python folds headers at 78 columns and then drops the space before an encoded word in long
# non-ASCII subjects ("2030 à 14 h 30" arrives as "2030  à14 h 30"); RFC 5322 allows 998 columns,
# so headers are serialized unfolded.
SEND_POLICY = email.policy.default.clone(max_line_length=998)


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def new_message(*, to: str, subject: str, text: str, html: str | None = None,
                message_id: str | None = None) -> EmailMessage:
    """A multipart message from the configured sender; attach files with ``add_attachment``."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=_sender_domain())
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Deliver one message; raises MailError on any SMTP or network failure."""
    config = current_app.config
    message.policy = SEND_POLICY  # set last: the parts are already encoded
    try:
        with _connect(config) as smtp:
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
    log.info("mail %s sent", message["Message-ID"])


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _sender_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rsplit("@", 1)[-1].strip(">").strip() or "virage.local"
