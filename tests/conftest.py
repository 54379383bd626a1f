"""Shared fixtures. Every test works on real temporary SQLite project files."""

import os

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
