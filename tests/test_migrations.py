"""The models and the migrations describe the same schema (what `flask db check` checks), on each database.

A model changed without its migration, or a migration that the models do not follow, fails here:
the schema a fresh install gets from `flask db upgrade` is the one the code expects.
"""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from partner_site.extensions import db


def test_the_migrations_build_exactly_the_schema_of_the_models(app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       db.metadata)
    assert differences == []
