"""Project-wide settings (the project_settings table): the project's id and the lead's switches.

Values are JSON. A setting never written reads as its default, so a project made before a
switch existed behaves as it did.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.model import ProjectSetting

PROJECT_ID = "project_id"
# In a bundle (annotator/bundles): what it is — the project's id, the annotator, when and from
# where it was made, and the fingerprint of that annotator's work per document at that moment.
BUNDLE = "bundle"
# In a project: per bundle merged into it (by the bundle's id), the fingerprints of the bundle's
# documents merged since it was made, where they differ from the bundle's own record; a later
# merge of the same bundle compares against them.
MERGED_BUNDLES = "merged_bundles"
# true: annotators read each other's spans, links and statuses (default false: blind annotation,
# as agreement studies need). On PostgreSQL the row-level security policies read it.
SEE_OTHERS = "see_others"
# PostgreSQL only: {"annotator": ROLE, "reviewer": ROLE, "lead": ROLE}, the project's group roles
# (written by migration 0005; `annotator team add` grants them to logins).
SERVER_ROLES = "server_roles"
# "suggested:<source>" (e.g. "suggested:rules", "suggested:model:v1"): the sorted ids of the
# documents that suggestion source ran on (annotator.suggestions.suggest); agreement counts the
# source as having finished them.
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
