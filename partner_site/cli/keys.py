"""`flask --app wsgi keys ...`: the Ed25519 keys that sign ticket codes."""
import click
from flask import current_app

from .common import echo_json


@click.group("keys")
def keys_cli():
    """Manage the Ed25519 keys that sign ticket codes (kept outside the database)."""


@keys_cli.command("rotate")
def rotate_keys():
    """Add a new signing key; older keys keep verifying until retired."""
    kid = current_app.extensions["keyring"].rotate()
    echo_json({"active_kid": kid})


@keys_cli.command("list")
def list_keys():
    """Print the public part of every key."""
    echo_json(current_app.extensions["keyring"].describe(), indent=2)


@keys_cli.command("retire")
@click.argument("kid", type=int)
def retire_key(kid):
    """Stop accepting codes signed by key KID (once its campaigns have ended)."""
    try:
        current_app.extensions["keyring"].retire(kid)
    except (ValueError, KeyError) as err:
        raise click.ClickException(str(err))
    echo_json({"retired": kid})
