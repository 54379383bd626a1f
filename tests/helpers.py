"""Helpers for tests."""

from sqlalchemy import MetaData, select

from annotator.store import Project


def snapshot(project: Project) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused action changed nothing."""
    metadata = MetaData()
    with project.engine.connect() as connection:
        metadata.reflect(connection)
        return {
            name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for name, table in metadata.tables.items()
        }
