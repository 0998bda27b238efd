"""`flask --app wsgi campaigns ...`: funded programmes, created and expired by the rules the back office applies."""
import click

from ..domain import campaigns as campaign_ops
from ..domain.clock import local_today
from .common import domain_call, echo_json, get_campaign

OPTIONS = {"name": "--name", "territory": "--territory", "budget_cents": "--budget-euros",
           "face_value_cents": "--face-value-cents", "starts_on": "--starts", "ends_on": "--ends",
           "grace_days": "--grace-days", "state_share_percent": "--state-share-percent"}


@click.group("campaigns")
def campaigns_cli():
    """Manage campaigns (funded programmes)."""


@campaigns_cli.command("create")
@click.option("--name", required=True)
@click.option("--budget-euros", type=int, required=True)
@click.option("--face-value-cents", type=int, default=1000, show_default=True)
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--grace-days", type=int, default=31, show_default=True)
@click.option("--territory", default="Haute-Garonne", show_default=True)
@click.option("--state-share-percent", type=int, default=50, show_default=True,
              help="Share of the budget the State funds.")
def create_campaign(name, budget_euros, face_value_cents, starts, ends, grace_days, territory, state_share_percent):
    """Create a campaign (checked as the back office's form is) and print its id."""
    with domain_call(OPTIONS):
        campaign = campaign_ops.create(
            "cli", name=name, territory=territory, budget_cents=budget_euros * 100, face_value_cents=face_value_cents,
            starts_on=starts.date(), ends_on=ends.date(), grace_days=grace_days,
            state_share_percent=state_share_percent)
    echo_json({"id": campaign.id, "name": campaign.name})


@campaigns_cli.command("expire")
@click.option("--campaign", "campaign_id", type=int, required=True)
def expire_campaign(campaign_id):
    """Mark the unused tickets of a campaign past its end plus grace as expired."""
    with domain_call():
        count = campaign_ops.expire("cli", get_campaign(campaign_id), local_today())
    echo_json({"tickets_expired": count})


@campaigns_cli.command("expire-due")
def expire_due():
    """Expire the unused tickets of every campaign past its end plus grace (a daily job; safe to repeat)."""
    with domain_call():
        expired = campaign_ops.expire_due("cli", local_today())
    echo_json({"campaigns": [{"id": campaign_id, "tickets_expired": count} for campaign_id, count in expired.items()],
               "tickets_expired": sum(expired.values())})
