"""`flask --app wsgi users ...`: the people who log in."""
import click

from ..domain import accounts
from ..models import Role
from .accounts import COMMANDS as ACCOUNT_COMMANDS
from .common import domain_call, echo_json


@click.group("users")
def users_cli():
    """Manage the people who log in."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--partner", "partner_id", type=int, help="Partner id, for a manager or a trainer.")
@click.option("--name", "full_name", default="")
def create_user(email, password, role, partner_id, full_name):
    """Create a user; managers and trainers belong to one partner, staff to none."""
    role = Role(role)
    with domain_call({"email": "--email", "password": "--password", "partner_id": "--partner",
                      "full_name": "--name"}):
        user = accounts.create_user("cli", email=email, password=password, role=role, partner_id=partner_id,
                                    full_name=full_name)
    echo_json({"id": user.id, "email": user.email, "role": role.value, "partner_id": partner_id})


for _command in ACCOUNT_COMMANDS:  # totp, outbox, reset-second-factor
    users_cli.add_command(_command)
