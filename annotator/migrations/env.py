"""Alembic environment: migrations run on the connection the store hands over.

Developers create a revision with `alembic -c annotator/alembic.ini revision
--autogenerate -m "..."` against a scratch database URL given as `-x url=...`.
"""

from alembic import context
from sqlalchemy import create_engine

from annotator.model import Base

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line, for developers
        url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///scratch.db")
        with create_engine(url).begin() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
