"""`flask --app wsgi users ...`: second factors and account messages (registered by `users`).

`totp` and `outbox` print secrets (a current code, one-time links): they are for a demo or a
developer's machine and refuse to run in production. `reset-second-factor` is for an operator
when the last administrator has lost their phone.
"""
import json

import click
import pyotp
import sqlalchemy as sa
from flask import current_app

from ..domain import account_messages, passwords, second_factor
from ..extensions import db
from ..models import Notification


def _user(email):
    user = passwords.find_user(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


def _not_in_production(what: str) -> None:
    if current_app.config.get("PRODUCTION"):
        raise click.ClickException(f"{what} is for a demo or a development machine: refused in production")


@click.command("totp")
@click.argument("email")
def totp_code(email):
    """Print the current second-factor code of a staff member (demo and development only)."""
    _not_in_production("users totp")
    user = _user(email)
    if not user.totp_secret:
        raise click.ClickException(f"{email} has no second factor yet: it is set up at the first sign-in")
    click.echo(pyotp.TOTP(user.totp_secret).now())


@click.command("outbox")
@click.argument("email")
@click.option("--limit", type=click.IntRange(1, 50), default=3, show_default=True)
def account_outbox(email, limit):
    """Print the latest account messages to EMAIL, links included (demo and development only)."""
    _not_in_production("users outbox")
    rows = db.session.execute(sa.select(Notification).where(
        sa.func.lower(Notification.recipient) == email.strip().lower(), Notification.kind.in_(account_messages.KINDS))
        .order_by(Notification.id.desc()).limit(limit)).scalars()
    for n in rows:
        click.echo(f"--- {n.created_at:%Y-%m-%d %H:%M} UTC · {n.kind} · {n.subject}\n{n.body}\n")


@click.command("reset-second-factor")
@click.argument("email")
def reset_second_factor(email):
    """Forget a staff member's second factor (a lost phone); they enrol again at their next sign-in."""
    user = _user(email)
    second_factor.reset("cli", user)
    db.session.commit()
    click.echo(json.dumps({"email": user.email, "second_factor": "reset"}))


COMMANDS = (totp_code, account_outbox, reset_second_factor)
