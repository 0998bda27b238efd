"""The command line, `flask --app wsgi <group> <command>`: one module per group; each command has --help.

Commands call the same domain functions as the pages, so a rule holds whichever way a change is made.
"""
from flask import Flask

from .backup import backup_command
from .beneficiaries import beneficiaries_cli
from .booklets import booklets_cli
from .campaigns import campaigns_cli
from .claims import claims_cli
from .demo import demo_command
from .keys import keys_cli
from .users import users_cli

COMMANDS = (users_cli, campaigns_cli, booklets_cli, keys_cli, demo_command, claims_cli, beneficiaries_cli,
            backup_command)


def register_cli(app: Flask) -> None:
    """Add every command group to the app's `flask` command."""
    for command in COMMANDS:
        app.cli.add_command(command)
