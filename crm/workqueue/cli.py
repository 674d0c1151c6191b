"""``flask workqueue digest``: plan today's digests and send them (cron, every morning)."""
import click

from crm.cohorts import timeutil
from crm.reminders.sending import sender_name
from crm.transaction import step
from crm.workqueue import digest


def register(bp) -> None:
    @bp.cli.command("digest")
    def digest_command():
        """Plan the Québec day's digest of every coach who wants it, then send those due (run it every
        morning, 0 7 * * *); running it again the same day plans none."""
        with step():
            planned = digest.plan(timeutil.now())
        sent = digest.send_due(me=sender_name())
        click.echo(f"digests planned {planned}; sent {sent}")
