"""Back-office commands: print booklets, expire a campaign, purge beneficiaries' personal data."""
import json

import click

from .cli import _campaign, booklets_cli, campaigns_cli
from .domain import beneficiaries as requests_ops
from .domain import campaigns as campaign_ops
from .domain.clock import local_today
from .domain.errors import DomainError
from .extensions import db


@booklets_cli.command("print")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--booklet", "serials", multiple=True, help="Booklet serial (repeatable); default: the whole campaign.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="PDF file to write.")
def print_booklets(campaign_id, serials, out):
    """Write the print-ready PDF: one A4 sheet per booklet, ten tickets with cut marks."""
    from .printing import sheets

    campaign = _campaign(campaign_id)
    try:
        if serials:
            sheets.check_serials(campaign, list(serials))
        with open(out, "wb") as fh:
            pages = sheets.write_pdf(fh, campaign, list(serials) or None)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(json.dumps({"booklets": pages, "out": out}))


@campaigns_cli.command("expire")
@click.option("--campaign", "campaign_id", type=int, required=True)
def expire_campaign(campaign_id):
    """Mark the unused tickets of a campaign past its end plus grace as expired."""
    try:
        count = campaign_ops.expire("cli", _campaign(campaign_id), local_today())
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(json.dumps({"tickets_expired": count}))


@click.group("beneficiaries")
def beneficiaries_cli():
    """Beneficiaries' requests and their personal data."""


@beneficiaries_cli.command("purge")
@click.option("--older-than", "days", type=click.IntRange(0), required=True,
              help="Anonymise requests closed more than DAYS days ago.")
def purge(days):
    """Erase the identity and address of closed requests, keeping what the statistics need."""
    count = requests_ops.purge("cli", days)
    db.session.commit()
    click.echo(json.dumps({"anonymised": count}))
