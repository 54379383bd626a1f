"""The team of a project, and who is acting: `annotator team add / list / remove / policy`.

On a file project the team is names and roles in the file (anyone who can write the file can
write as anyone). On PostgreSQL a person is their database login: `team add` creates the login
and grants it the project's group role, and the server's row-level security decides what each
may do (see migration 0005); the tool's own checks here only give a clearer message first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session

from annotator.team import server_roles
from annotator.change_builder import ChangeBuilder
from annotator.changes import row_of
from annotator.errors import UserError
from annotator.model import GOLD, Annotator, utcnow
from annotator.settings import SEE_OTHERS, get_setting, set_setting
from annotator.store import Project

TEAM_ROLES = server_roles.GROUPS
_TAKEN = ("23505", "42710")  # unique violation, duplicate object: someone added the same name meanwhile


@dataclass(frozen=True)
class Added:
    name: str
    role: str
    login_created: bool  # on PostgreSQL: a new login (False: an existing one was granted, or a file project)
    returned: bool  # the name was on the team before and was removed: their work is theirs again


def team_list(project: Project) -> list[dict]:
    """The people on the team in the order they joined: [{"name": ..., "role": ...}, ...]."""
    with project.read() as session:
        rows = session.execute(select(Annotator.name, Annotator.role)
                               .where(Annotator.role.in_(TEAM_ROLES), Annotator.removed_at.is_(None))
                               .order_by(Annotator.id)).all()
    return [{"name": name, "role": role} for name, role in rows]


def team_add(project: Project, name: str, role: str, password: str | None = None) -> Added:
    """Put a person on the team with a role; on PostgreSQL also their login (and its password).

    One transaction: two leads adding the same name at once, one succeeds and the other is told."""
    name = _checked_name(name)
    if role not in TEAM_ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(TEAM_ROLES)}")
    try:
        with project.transaction() as session:
            server = server_roles.on_server(session)
            if password is not None and not server:
                raise UserError("a project file has no logins, so no passwords; leave out --password-stdin")
            row = row_of(session, "annotators", name=name)
            if row is not None and row["role"] not in TEAM_ROLES:
                raise UserError(f"{name!r} is a {row['role']} source in this project, not a person; choose another name")
            on_team = row is not None and row["removed_at"] is None and (not server or server_roles.is_member(session, name))
            if on_team:
                raise UserError(f"{name} is already on the team as {row['role']}; to change the role, "
                                f"`annotator team remove` then `team add` again")
            returned = row is not None and row["removed_at"] is not None
            created = server_roles.add_login(session, name, role, password) if server else False
            build = ChangeBuilder(session)
            if row is None:
                build.insert("annotators", {"name": name, "role": role, "created_at": utcnow(), "removed_at": None})
            else:
                build.update("annotators", row, role=role, removed_at=None)
            build.apply(f"add {name} to the team as {role}")
    except (IntegrityError, ProgrammingError) as exc:
        if getattr(exc.orig, "sqlstate", None) in _TAKEN or isinstance(exc, IntegrityError):
            raise UserError(f"{name} was added by someone else at the same moment; see `annotator team list`") from None
        raise
    return Added(name, role, created, returned)


def team_remove(project: Project, name: str) -> str:
    """Take a person off the team; their spans, links and statuses stay, attributed to them.
    On PostgreSQL their login loses the project's groups: no more connecting, reading or writing.
    Returns their role."""
    with project.transaction() as session:
        row = row_of(session, "annotators", name=name)
        if row is None or row["role"] not in TEAM_ROLES or row["removed_at"] is not None:
            known = ", ".join(member["name"] for member in _members(session)) or "nobody yet"
            raise UserError(f"{name!r} is not on the team (on it: {known}); see `annotator team list`")
        if server_roles.on_server(session):
            server_roles.remove_login(session, name)
        build = ChangeBuilder(session)
        build.update("annotators", row, removed_at=utcnow())
        build.apply(f"take {name} off the team")
        return row["role"]


def set_see_others(project: Project, see_others: bool) -> None:
    """Whether annotators read each other's work (default: no, blind annotation)."""
    with project.transaction() as session:
        set_setting(session, SEE_OTHERS, see_others)


def see_others(project: Project) -> bool:
    with project.read() as session:
        return bool(get_setting(session, SEE_OTHERS, False))


def login_name(project: Project) -> str | None:
    """On PostgreSQL, the login this project was opened with (who the annotator is); None on a file."""
    with project.read() as session:
        return server_roles.current_login(session) if server_roles.on_server(session) else None


def server_annotator(project: Project, requested: str | None = None) -> str | None:
    """Who works in the window on PostgreSQL: the login, never asked (naming anyone else with
    --annotator is refused). None on a file project, where the name is the person's to give; a
    superuser, whom no policy binds, gives a name as on a file (None when it gives none)."""
    with project.read() as session:
        if not server_roles.on_server(session):
            return None
    return _the_login(project, requested, "--annotator", "the window works as your login")


def reviewer_name(project: Project, requested: str | None) -> str | None:
    """Who an adjudication records as its reviewer: on PostgreSQL the login (a --reviewer naming
    anyone else is refused: gold must say truly who put each span there); on a file, and for a
    superuser, `requested` (None: the caller's own name)."""
    with project.read() as session:
        if not server_roles.on_server(session):
            return requested
    return _the_login(project, requested, "--reviewer", "gold records who adjudicated, and that is you")


def _the_login(project: Project, requested: str | None, option: str, rule: str) -> str | None:
    """The login, refusing a `requested` other name; a superuser, whom no policy binds, names
    anyone (or nobody: None)."""
    with project.read() as session:
        if server_roles.is_superuser(session):
            return requested
        login = server_roles.current_login(session)
    if requested not in (None, login):
        raise _not_you(requested, login, rule, option)
    return login


def offer_to_join(project: Project, name: str) -> list[str] | None:
    """On a project file that knows people but not `name` (a newcomer, or a typo that would start
    a second set of work): who is on the team, for the window to offer adding `name` first. None
    when there is nothing to ask: a server (the login decides), a file that knows nobody yet (one
    person's project), a name it knows (someone removed included: their window is read-only), a
    file this user cannot write (nobody could be added)."""
    with project.read() as session:
        if project.read_only or server_roles.on_server(session):
            return None
        people = session.execute(select(Annotator.name, Annotator.removed_at)
                                 .where(Annotator.role.in_(TEAM_ROLES)).order_by(Annotator.id)).all()
    if not people or any(known == name for known, _ in people):
        return None
    return [known for known, removed in people if removed is None]


def import_annotator(project: Project, requested: str | None) -> str | None:
    """Whose annotations an import writes (None: the names the file gives). On PostgreSQL a lead
    may import for anyone; anyone else imports into their own set only."""
    with project.read() as session:
        if not server_roles.on_server(session) or server_roles.is_lead(session):
            return requested
        login = server_roles.current_login(session)
    if requested not in (None, login):
        raise _not_you(requested, login, "only a lead may import annotations for someone else")
    return login


def _not_you(requested: str, login: str, rule: str, option: str = "--annotator") -> UserError:
    return UserError(f"{option} {requested}: on a server you are your login, {login}; {rule} — "
                     f"leave out {option}, or log in as that person")


def _members(session: Session) -> list[dict]:
    rows = session.execute(select(Annotator.name).where(Annotator.role.in_(TEAM_ROLES), Annotator.removed_at.is_(None))
                           .order_by(Annotator.id)).scalars()
    return [{"name": name} for name in rows]


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("the name is empty; give the person's name (their login on a server)")
    if name == GOLD:
        raise UserError("'gold' is the adjudicated set, not a person; choose another name")
    if len(name) > 128 or any(ord(c) < 32 for c in name):
        raise UserError(f"{name[:40]!r}…: a name is at most 128 characters, without control characters")
    return name
