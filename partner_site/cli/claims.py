"""`flask --app wsgi claims ...`: money invariants and the outbox, for operators and cron."""
import json

import click

from ..domain import notifications
from ..domain.invariants import run_checks


@click.group("claims")
def claims_cli():
    """Check the money invariants; send waiting messages."""


@claims_cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the discrepancies as JSON.")
def check(as_json):
    """Verify every money invariant; exit 1 and list the discrepancies if any is broken.

    Claim total = sum of its accepted lines; batch total = sum of its claims and payments;
    no ticket on two accepted lines, paid tickets on paid claims; paid claims unchanged.
    """
    found = list(run_checks())
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in found], ensure_ascii=False))
    elif found:
        for d in found:
            click.echo(f"{d.check}: {d.object}: {d.detail}", err=True)
    else:
        click.echo("claims check: every money invariant holds")
    if found:
        raise SystemExit(1)


@claims_cli.command("notify")
def notify():
    """E-mail the outbox's waiting messages (needs MAIL_SERVER); print how many were sent."""
    if not notifications.smtp_configured():
        raise click.ClickException("MAIL_SERVER is not set: messages stay in the outbox")
    click.echo(json.dumps({"sent": notifications.deliver_pending(limit=1000)}))
