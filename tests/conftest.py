"""Shared fixtures. Every test works on real projects: temporary SQLite files, or, when
ANNOTATOR_TEST_DB_URL names a PostgreSQL server (`make test-postgres`), a fresh database on it per
test, created for the test and dropped after it.

`fresh_target()` is where a test makes a project of its own (a path, or an empty database's URL);
tests about files themselves (locks, WAL, permissions, headers) are marked `file_only` and skipped
on a server with their reason.
"""

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from annotator.store import Project, create_project, open_project  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
TEST_DB_URL = os.environ.get("ANNOTATOR_TEST_DB_URL", "")
ON_SERVER = bool(TEST_DB_URL)


def pytest_configure(config):
    config.addinivalue_line("markers", "file_only(reason): about project files themselves; skipped on a server")


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("file_only")
    if ON_SERVER and marker is not None:
        pytest.skip(f"file only: {marker.args[0] if marker.args else 'about SQLite files'}")


class Databases:
    """Databases made on the test server (named for this process, so parallel runs never meet)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, make_url

        self.server = make_url(url)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"annotator_test_{os.getpid()}_"
        self.count = 0
        self.made: list[str] = []

    def create(self, template: str = "template0") -> str:
        """A new database (empty, or a copy of a template database); its URL."""
        self.count += 1
        name = f"{self.prefix}{self.count}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return self.url(name)

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        from sqlalchemy import make_url

        name = make_url(url).database
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # FORCE: a test's forgotten connection
        self.made.remove(name)

    def drop_all(self) -> None:
        for name in list(self.made):
            self.drop(self.url(name))
        # Roles are the cluster's, not a database's: the projects' group roles (named after their
        # databases) and the logins tests made (named with the same prefix) go too.
        from sqlalchemy import text

        with self.admin.connect() as connection:
            roles = connection.execute(text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :prefix)"),
                                       {"prefix": self.prefix}).scalars().all()
            for role in roles:
                connection.execute(text(f'DROP ROLE "{role}"'))
        self.admin.dispose()

    def _run(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(sql))


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def databases():
    """The test server's databases (None on files)."""
    if not ON_SERVER:
        yield None
        return
    made = Databases(TEST_DB_URL)
    yield made
    made.drop_all()


@pytest.fixture
def fresh_target(databases, tmp_path):
    """`fresh_target(name)`: where a new project goes — a path in tmp_path on files, the URL of a new
    empty database on a server (each call a new one, dropped after the test)."""
    made: list[str] = []

    def target(name: str = "project.db") -> str:
        if databases is None:
            return str(tmp_path / name)
        made.append(databases.create())
        return made[-1]

    yield target
    for url in made:
        databases.drop(url)


@pytest.fixture(scope="session")
def _empty_project_template(databases) -> str | None:
    """On a server, a new project (default labels) made once, cloned for each test's `project`."""
    if databases is None:
        return None
    url = databases.create()
    create_project(url).close()
    return url


@pytest.fixture
def project(fresh_target, databases, _empty_project_template) -> Project:
    """A new, empty project with the default labels."""
    if databases is None:
        opened = create_project(fresh_target())
    else:
        opened = open_project(_clone(databases, _empty_project_template))
    yield opened
    opened.close()
    if databases is not None:
        databases.drop(opened.url)


def _clone(databases: Databases, template_url: str) -> str:
    from sqlalchemy import make_url

    return databases.create(template=make_url(template_url).database)


def _build_samples(target: str) -> str:
    from annotator.importing import import_path

    built = create_project(target, SAMPLES / "labels.toml")
    import_path(built, SAMPLES / "articles")
    for annotations in sorted((SAMPLES / "annotations").glob("*.jsonl")):
        import_path(built, annotations)
    built.close()
    return target


@pytest.fixture(scope="session")
def _sample_project_file(tmp_path_factory) -> Path:
    """The project built from samples/ as a file, whatever the backend (for tests about files)."""
    return Path(_build_samples(str(tmp_path_factory.mktemp("samples") / "samples.db")))


@pytest.fixture(scope="session")
def _sample_project_source(request, databases) -> str:
    """The project built once from samples/: a file to copy, or a template database to clone."""
    if databases is None:
        return str(request.getfixturevalue("_sample_project_file"))
    return _build_samples(databases.create())


@pytest.fixture
def sample_project(_sample_project_source, databases, tmp_path) -> Project:
    """A fresh copy of the project built from samples/: five articles, alice, bob and carol."""
    if databases is None:
        copy = str(tmp_path / "samples.db")
        shutil.copyfile(_sample_project_source, copy)
    else:
        copy = _clone(databases, _sample_project_source)
    opened = open_project(copy)
    yield opened
    opened.close()
    if databases is not None:
        databases.drop(copy)


@pytest.fixture(scope="module")
def private_server():
    """A PostgreSQL server of this test module's own, which its tests may stop and start again
    (tests/pg_cluster.py; skipped with the reason where it cannot run)."""
    from tests.pg_cluster import PrivateCluster, why_no_private_server

    reason = why_no_private_server()
    if reason is not None:
        pytest.skip(reason)
    cluster = PrivateCluster()
    yield cluster
    cluster.remove()
