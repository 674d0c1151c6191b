"""``flask reminders send [--loop]`` (cron or worker): the account emails (crm/auth/emails.py), the
reminders, and the outboxes of other features (``signals.outboxes``: event emails, webhooks);
``flask reminders test-email ADDRESS``."""
import logging
import signal
import threading

import click

from crm import mail, signals
from crm.auth import emails
from crm.cohorts import timeutil
from crm.extensions import db
from crm.reminders.planning import plan_all
from crm.reminders.sending import send_due, sender_name
from crm.transaction import step

log = logging.getLogger(__name__)


def run_once(*, batch: int | None = None):
    """Send the account emails due (a person is waiting for them) and the other features' outboxes
    (``signals.outboxes``), plan reminders, send the reminders due. Returns (plan result, send
    result, account emails sent, other features' emails sent).

    Sending commits row by row (crm/outbox.py: a claim, then each outcome, so that a sender that
    stops sends nothing twice); the plan is one step."""
    me = sender_name()
    accounts = emails.send_due(me=me, batch=batch)
    others = sum(signals.answers(signals.outboxes, me=me, batch=batch))
    with step():
        plan = plan_all(timeutil.now())
    sent = send_due(me=me, batch=batch)
    return plan, sent, accounts, others


def register(bp) -> None:
    @bp.cli.command("send")
    @click.option("--loop", is_flag=True, help="Keep running: plan and send every INTERVAL seconds.")
    @click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600),
                  help="Seconds between rounds with --loop.")
    @click.option("--batch", default=None, type=click.IntRange(1, 10000),
                  help="Rows claimed at a time (default REMINDER_BATCH_SIZE).")
    def send_command(loop, interval, batch):
        """Send account emails, plan reminders, send those due, and exit (for cron); --loop runs as a worker."""
        if not loop:
            plan, sent, accounts, others = run_once(batch=batch)
            click.echo(f"planned {plan.created} new, {plan.cancelled} cancelled; sent {sent.sent}, "
                       f"retry later {sent.retried}, failed {sent.failed}, skipped {sent.skipped}; "
                       f"account emails sent {accounts}; other emails sent {others}")
            return
        stop = threading.Event()

        def _stop(signum, _frame):
            log.info("signal %s: stopping after the current round", signum)
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        click.echo(f"reminder worker started, every {interval} s; SIGTERM stops it cleanly")
        while not stop.is_set():
            try:
                plan, sent, accounts, others = run_once(batch=batch)
                if sent.handled or plan.created or accounts or others:
                    click.echo(f"planned {plan.created}; sent {sent.sent}, retry later {sent.retried}, "
                               f"failed {sent.failed}; account emails sent {accounts}; other emails sent {others}")
            except Exception:  # noqa: BLE001 - a worker survives a bad round (database restart…)
                db.session.rollback()
                log.exception("reminder round failed; next round in %s s", interval)
            finally:
                db.session.remove()
            stop.wait(interval)
        click.echo("reminder worker stopped")

    @bp.cli.command("test-email")
    @click.argument("address")
    def test_email_command(address):
        """Send a test email to ADDRESS with the current SMTP settings."""
        from flask import current_app

        config = current_app.config
        server = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
        message = mail.new_message(
            to=address, subject="Virage : courriel d'essai / test email",
            text="Ce courriel confirme que Virage peut envoyer des rappels.\n\n"
                 "This email confirms that Virage can send reminders.\n")
        try:
            mail.send(message)
        except mail.MailError as error:
            raise click.ClickException(f"could not send through {server}: {error}") from None
        click.echo(f"Test email sent to {address} through {server} (Message-ID {message['Message-ID']}).")
