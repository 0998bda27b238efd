"""`flask --app wsgi demo`: a realistic demo, built idempotently; `--json` is a contract scripts and tests read."""
import json

import click

from ...extensions import db
from .build import PASSWORD, build_demo  # noqa: F401 (browser tests build the demo directly)


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the demo's ids and logins as JSON only.")
def demo_command(as_json):
    """Build (idempotently) a realistic demo and print its logins."""
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
