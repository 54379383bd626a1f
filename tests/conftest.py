"""Shared fixtures. Every test works on real temporary SQLite project files."""

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from annotator.store import Project, create_project  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture
def project(tmp_path) -> Project:
    opened = create_project(tmp_path / "project.db")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def _sample_project_file(tmp_path_factory) -> Path:
    from annotator.importing import import_path

    path = tmp_path_factory.mktemp("samples") / "samples.db"
    built = create_project(path, SAMPLES / "labels.toml")
    import_path(built, SAMPLES / "articles")
    for annotations in sorted((SAMPLES / "annotations").glob("*.jsonl")):
        import_path(built, annotations)
    built.close()
    return path


@pytest.fixture
def sample_project(_sample_project_file, tmp_path) -> Project:
    """A fresh copy of the project built from samples/: five articles, alice, bob and carol."""
    from annotator.store import open_project

    copy = tmp_path / "samples.db"
    shutil.copyfile(_sample_project_file, copy)
    opened = open_project(copy)
    yield opened
    opened.close()
