"""Project-wide settings (the project_settings table): the project's id and the lead's switches.

Values are JSON. A setting never written reads as its default, so a project made before a
switch existed behaves as it did.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.model import ProjectSetting

PROJECT_ID = "project_id"
# true: anyone may annotate any document; false: only the documents assigned to them (others open
# read-only). Unset: free while nothing is assigned (a solo user), not once something is.
FREE_CHOICE = "free_choice"


def get_setting(session: Session, key: str, default=None):
    found = session.scalar(select(ProjectSetting.value).where(ProjectSetting.key == key))
    return default if found is None else found


def set_setting(session: Session, key: str, value) -> None:
    """Write one setting inside the caller's transaction."""
    row = session.get(ProjectSetting, key)
    if row is None:
        session.add(ProjectSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def project_id(session: Session) -> str:
    """The id made when the project was created (or upgraded to settings): a copy of the file is
    the same project; another `annotator init` is another."""
    return get_setting(session, PROJECT_ID)
