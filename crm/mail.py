"""Sending email through the configured SMTP server (MAIL_* settings).

``send(message)`` delivers one message on a connection of its own. To send many, open one
connection for all of them: ``with MailSession() as outbox: outbox.send(a); outbox.send(b)``;
each ``send`` raises ``MailError`` for its own message only, and the connection goes on.
"""
import email.policy
import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app

from crm.text import single_line

log = logging.getLogger(__name__)

# Python folds headers at 78 columns and then drops the space before an encoded word in long
# non-ASCII subjects ("2030 à 14 h 30" arrives as "2030  à14 h 30"); RFC 5322 allows 998 columns,
# so headers are serialized unfolded.
SEND_POLICY = email.policy.default.clone(max_line_length=998)


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message.

    ``permanent``: the server refused this very message for good (a 5yz reply to its recipient or
    its content, RFC 5321 §4.2.1): sending it again would get the same answer.
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


DEFAULT_SENDER_NAME = "Virage"


def sender(organization: str | None = None) -> Address:
    """Who an email comes from: ``MAIL_DEFAULT_SENDER``'s name (« Virage » when it has none) and
    address, the name followed by the organization's when the email is about one organization
    (« Virage — Réseau d'économie sociale de l'Estrie »), so that people see who writes to them.

    An ``Address``: the mail library quotes and encodes the name (RFC 2047), whatever it holds.
    """
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    name = single_line(name) or DEFAULT_SENDER_NAME
    if organization and single_line(organization):
        name = f"{name} — {single_line(organization)}"
    return Address(display_name=name, addr_spec=address)


def new_message(*, to: str, subject: str, text: str, html: str | None = None,
                message_id: str | None = None, organization: str | None = None) -> EmailMessage:
    """A multipart message from the configured sender, on behalf of ``organization`` when the email is
    about one (its name); attach files with ``add_attachment``."""
    message = EmailMessage()
    message["From"] = sender(organization)
    message["To"] = to
    # A line break in a value stored before forms refused them (a session's title) would make the
    # mail library refuse the header: the subject is one line, whatever it is made of.
    message["Subject"] = single_line(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=_sender_domain())
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, from ``PUBLIC_BASE_URL`` (emails are sent outside requests)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "https",
                                       script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def render_email(name: str, context: dict) -> str:
    """Render outside any request (the sender is a CLI command): no request context processors.

    A language without its own template falls back to French (the Charter of the French language: docs/domain.md).
    """
    french = name.rsplit(".", 2)[0] + ".fr." + name.rsplit(".", 1)[-1]
    template = current_app.jinja_env.get_or_select_template([name, french])
    return template.render(context)


def send(message: EmailMessage) -> None:
    """Deliver one message; raises MailError on any SMTP or network failure."""
    with MailSession() as outbox:
        outbox.send(message)


class MailSession:
    """One SMTP connection for many messages, opened at the first ``send`` and closed on exit.

    - A server that dropped the connection (idle timeout, restart, "421 too many messages") is
      reconnected once, for the message being sent. (If it dropped after receiving that message's
      DATA, the message arrives twice, with the same Message-ID, which mail systems drop.)
    - A refusal of one message (a recipient refused, 451 on DATA) fails that message only:
      smtplib resets the transaction and the connection goes on.
    - When the server cannot be reached or refuses the sign-in, every later ``send`` of this
      session fails at once with the same error instead of waiting ``MAIL_TIMEOUT`` again.
    """

    def __init__(self, config=None):
        self.config = config if config is not None else current_app.config
        self.connections = 0  # opened so far, for logs and tests
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: MailError | None = None

    def __enter__(self) -> "MailSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message``; raises MailError when this message could not be delivered."""
        message.policy = SEND_POLICY  # set last: the parts are already encoded
        try:
            try:
                self._send_on_open_connection(message)
            except (smtplib.SMTPException, OSError) as error:
                if not self._connection_lost(error):
                    raise
                log.info("mail %s: connection lost (%s), reconnecting", message["Message-ID"], error)
                self._discard()
                self._send_on_open_connection(message)
        except (smtplib.SMTPException, OSError) as error:
            self._forget_if_closed()
            raise _mail_error(error) from error
        log.info("mail %s sent", message["Message-ID"])

    def close(self) -> None:
        """Say QUIT politely; the messages already accepted are delivered whatever it answers."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError) as error:
            log.info("mail: QUIT failed (%s)", error)
        finally:
            smtp.close()

    def _send_on_open_connection(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._open()
        self._smtp.send_message(message)

    def _open(self) -> smtplib.SMTP:
        if self._unreachable is not None:
            raise MailError(str(self._unreachable))
        try:
            smtp = _connect(self.config)
        except (smtplib.SMTPException, OSError) as error:
            self._unreachable = _mail_error(error)
            raise self._unreachable from error
        self.connections += 1
        return smtp

    def _discard(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connection_lost(self, error: Exception) -> bool:
        # smtplib closes the socket itself on a network error or a 421 reply ("closing channel").
        return isinstance(error, smtplib.SMTPServerDisconnected) or (self._smtp is not None
                                                                      and self._smtp.sock is None)

    def _forget_if_closed(self) -> None:
        # The next message then opens a new connection instead of failing on the closed one.
        if self._smtp is not None and self._smtp.sock is None:
            self._smtp = None


def _mail_error(error: Exception) -> MailError:
    return MailError(f"{type(error).__name__}: {error}", permanent=_refused_for_good(error))


def _refused_for_good(error: Exception) -> bool:
    """A 5yz refusal of the message's recipient or content. Network trouble, 4yz replies and a refused
    sign-in or sender (the configuration's problem, not the message's) are worth trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= code < 600 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _sender_domain() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "virage.local"
