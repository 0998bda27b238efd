"""`flask --app wsgi beneficiaries ...`: beneficiaries' requests and their personal data."""
import click
from flask import current_app

from ..domain import beneficiaries as requests_ops
from .common import domain_call, echo_json


@click.group("beneficiaries")
def beneficiaries_cli():
    """Beneficiaries' requests and their personal data."""


@beneficiaries_cli.command("purge")
@click.option("--older-than", "days", type=click.IntRange(0),
              help="Anonymise requests closed more than DAYS days ago (default: REQUEST_RETENTION_DAYS).")
def purge(days):
    """Erase the identity and address of closed requests, keeping what the statistics need (a daily job)."""
    if days is None:
        days = current_app.config["REQUEST_RETENTION_DAYS"]
    with domain_call():
        count = requests_ops.purge("cli", days)
    echo_json({"anonymised": count})
