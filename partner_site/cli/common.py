"""What the commands share: one way to run domain calls (commit, or roll back and say why), lookups."""
import json
from contextlib import contextmanager

import click

from ..domain.errors import DomainError
from ..extensions import db
from ..models import Campaign


@contextmanager
def domain_call(options: dict[str, str] | None = None):
    """Commit what the block changed, or roll it back and exit with the refusal's French message.

    `options` maps a field a refusal names to the option that set it, so the message points at it.
    """
    try:
        yield
    except DomainError as err:
        db.session.rollback()
        option = (options or {}).get(err.details.get("field", ""))
        if option:
            raise click.BadParameter(err.message, param_hint=option) from None
        raise click.ClickException(err.message) from None
    db.session.commit()


def get_campaign(campaign_id: int) -> Campaign:
    """Load a campaign by id or exit naming --campaign."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.BadParameter(f"no campaign {campaign_id}", param_hint="--campaign")
    return campaign


def echo_json(value, **kwargs) -> None:
    """Print one JSON document (what scripts and cron jobs read)."""
    click.echo(json.dumps(value, **kwargs))
