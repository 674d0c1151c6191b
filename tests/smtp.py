"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives."""
import asyncio
import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd's Controller(port=0) does not work: pick a free port ourselves (STACK.md pitfall 10).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: stores messages and counts connections (one EHLO each).

    Misbehaviours, for the tests: ``refuse`` answers 451 to every message; ``refuse_recipients``
    answers 550 to those addresses; ``hang_up_at`` holds numbers of MAIL commands (1 for the
    first since the server started) at which the server closes the connection without answering;
    ``delay`` makes it take that many seconds to accept each message, like a slow provider.
    """

    def __init__(self):
        self.messages = []
        self.connection_of = []  # for each message, the number of the connection it came on
        self.connections = 0
        self.mail_commands = 0
        self.refuse = False
        self.refuse_recipients = set()
        self.refusal = "550 5.1.1 No such mailbox"  # what refuse_recipients answer
        self.hang_up_at = set()
        self.delay = 0.0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's name
        self.connections += 1
        session.host_name = hostname
        session.connection_number = self.connections
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mail_commands += 1
        if self.mail_commands in self.hang_up_at:
            server.transport.close()
            await asyncio.sleep(60)  # cancelled when the connection is lost
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse_recipients:
            return self.refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        self.connection_of.append(session.connection_number)
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]


class SMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        return self.mailbox.messages

