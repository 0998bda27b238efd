"""Operational commands: `flask --app wsgi <group> <command>`; each has --help."""
import json

import click
import sqlalchemy as sa
from flask import Flask, current_app

from . import csvfile
from .domain import booklets as booklet_ops
from .domain.clock import local_today
from .domain.errors import DomainError
from .extensions import db
from .models import Campaign, Partner, Role, User, record


def _fail(err: DomainError):
    db.session.rollback()
    raise click.ClickException(err.message)


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
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    if role.is_staff == (partner_id is not None):
        raise click.BadParameter("managers and trainers need --partner; staff take none", param_hint="--partner")
    if partner_id is not None and db.session.get(Partner, partner_id) is None:
        raise click.BadParameter(f"no partner {partner_id}", param_hint="--partner")
    if db.session.execute(sa.select(User.id).where(sa.func.lower(User.email) == email.lower())).first():
        raise click.ClickException(f"a user with e-mail {email} exists already")
    user = User(email=email.lower(), role=role, partner_id=partner_id, full_name=full_name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("cli", "user.created", user, after={"email": user.email, "role": role.value})
    db.session.commit()
    click.echo(json.dumps({"id": user.id, "email": user.email, "role": role.value, "partner_id": partner_id}))


@click.group("campaigns")
def campaigns_cli():
    """Manage campaigns (funded programmes)."""


@campaigns_cli.command("create")
@click.option("--name", required=True)
@click.option("--budget-euros", type=click.IntRange(0), required=True)
@click.option("--face-value-cents", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--grace-days", type=click.IntRange(0, 366), default=31, show_default=True)
@click.option("--territory", default="Haute-Garonne", show_default=True)
def create_campaign(name, budget_euros, face_value_cents, starts, ends, grace_days, territory):
    """Create a campaign and print its id."""
    if ends < starts:
        raise click.BadParameter("must not be before --starts", param_hint="--ends")
    campaign = Campaign(name=name, territory=territory, budget_cents=budget_euros * 100,
                        face_value_cents=face_value_cents, starts_on=starts.date(), ends_on=ends.date(),
                        grace_days=grace_days)
    db.session.add(campaign)
    db.session.flush()
    record("cli", "campaign.created", campaign, after={"name": name, "budget_cents": campaign.budget_cents})
    db.session.commit()
    click.echo(json.dumps({"id": campaign.id, "name": name}))


@click.group("booklets")
def booklets_cli():
    """Issue, export, hand out and oppose booklets."""


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.BadParameter(f"no campaign {campaign_id}", param_hint="--campaign")
    return campaign


@booklets_cli.command("generate")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--count", type=click.IntRange(1, 100_000), required=True)
def generate_booklets(campaign_id, count):
    """Issue COUNT booklets for a campaign, within its budget."""
    try:
        booklets = booklet_ops.generate("cli", _campaign(campaign_id), count)
    except DomainError as err:
        _fail(err)
    db.session.commit()
    click.echo(json.dumps({"count": len(booklets), "first": booklets[0].serial, "last": booklets[-1].serial}))


@booklets_cli.command("export")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="CSV file (default: stdout).")
def export_booklets(campaign_id, out):
    """Write the print shop's CSV: serial,check_code,code,booklet,status."""
    from .printing import printshop

    writer = csvfile.Writer(out, lineterminator="\n")
    writer.writerow(printshop.HEADER)
    writer.writerows(printshop.rows(_campaign(campaign_id), local_today()))


@booklets_cli.command("distribute")
@click.argument("serials", nargs=-1, required=True)
def distribute_booklets(serials):
    """Hand out booklets by serial: their tickets become active."""
    try:
        for serial in serials:
            booklet_ops.distribute("cli", booklet_ops.by_serial(serial))
    except DomainError as err:
        _fail(err)
    db.session.commit()
    click.echo(json.dumps({"distributed": list(serials)}))


@booklets_cli.command("oppose")
@click.argument("serials", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why: lost, stolen...")
def oppose_booklets(serials, reason):
    """Declare booklets lost or stolen: their unused tickets are refused from now on."""
    cancelled = 0
    try:
        for serial in serials:
            cancelled += booklet_ops.oppose("cli", booklet_ops.by_serial(serial), reason)
    except DomainError as err:
        _fail(err)
    db.session.commit()
    click.echo(json.dumps({"opposed": list(serials), "tickets_cancelled": cancelled}))


@click.group("keys")
def keys_cli():
    """Manage the Ed25519 keys that sign ticket codes (kept outside the database)."""


@keys_cli.command("rotate")
def rotate_keys():
    """Add a new signing key; older keys keep verifying until retired."""
    kid = current_app.extensions["keyring"].rotate()
    click.echo(json.dumps({"active_kid": kid}))


@keys_cli.command("list")
def list_keys():
    """Print the public part of every key."""
    click.echo(json.dumps(current_app.extensions["keyring"].describe(), indent=2))


@keys_cli.command("retire")
@click.argument("kid", type=int)
def retire_key(kid):
    """Stop accepting codes signed by key KID (once its campaigns have ended)."""
    try:
        current_app.extensions["keyring"].retire(kid)
    except (ValueError, KeyError) as err:
        raise click.ClickException(str(err))
    click.echo(json.dumps({"retired": kid}))


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the demo's ids and logins as JSON only.")
def demo_command(as_json):
    """Build (idempotently) a realistic demo and print its logins."""
    from .demo import build_demo

    info = build_demo()
    db.session.commit()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    click.echo("Demo ready: log in at /login with one of these (password for all: %s)" % info["password"])
    for user in info["users"]:
        click.echo(f"  {user['role']:<10} {user['email']:<40} {user.get('partner_name', '')}")
    click.echo(f"Staff (admin, instructor, finance) then type a code: add the secret {info['totp_secret']} to an "
               f"authenticator app, or run `{info['totp_command']}`")


def register_cli(app: Flask) -> None:
    from .auth.cli import COMMANDS as account_commands
    from .backup import backup_command
    from .claims.cli import claims_cli
    from .cli_backoffice import beneficiaries_cli

    for command in (users_cli, campaigns_cli, booklets_cli, keys_cli, demo_command, claims_cli, beneficiaries_cli,
                    backup_command):
        app.cli.add_command(command)
    for command in account_commands:
        users_cli.add_command(command)
