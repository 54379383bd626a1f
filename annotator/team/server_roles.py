"""Who is who on a PostgreSQL project: the login as the annotator, and the logins and group
roles that `annotator team` manages.

Migration 0005 made three group roles per project database (recorded in project_settings under
`server_roles`) and the row-level security that reads them; here a person's login is created,
given one group, or taken out of them. Passwords reach the server only as a SCRAM verifier made
by libpq on this machine, so no server log ever holds one in clear text.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from annotator.errors import UserError
from annotator.settings import SERVER_ROLES, get_setting

GROUPS = ("annotator", "reviewer", "lead")
_VERIFIER = re.compile(r"SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")


def on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def current_login(session: Session) -> str:
    return session.execute(text("SELECT current_user")).scalar_one()


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def group_roles(session: Session) -> dict[str, str]:
    """role -> the project's group role on the server."""
    groups = get_setting(session, SERVER_ROLES)
    if not groups:
        raise UserError("this database has no team roles (its schema predates them); open it once with "
                        "`annotator stats URL` as the lead who created it, which upgrades it")
    return groups


def is_lead(session: Session) -> bool:
    """The login may do everything: a superuser, or a member of the project's lead group."""
    lead = (get_setting(session, SERVER_ROLES) or {}).get("lead")
    check = "pg_has_role(current_user, :lead, 'MEMBER')" if lead else "false"
    return bool(session.execute(text(f"SELECT rolsuper OR {check} FROM pg_roles WHERE rolname = current_user"),
                                {"lead": lead} if lead else {}).scalar())


def is_superuser(session: Session) -> bool:
    return bool(session.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def check_login_name(name: str) -> None:
    if len(name.encode()) > 63 or name.startswith("pg_") or "\x00" in name:
        raise UserError(f"{name!r} cannot be a login on PostgreSQL (at most 63 bytes, not beginning with pg_); "
                        "choose another name")


def is_member(session: Session, name: str) -> bool:
    """The login exists and holds one of the project's groups."""
    groups = list(group_roles(session).values())
    return bool(session.execute(text(
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :name AND g.rolname = ANY(:groups))"),
        {"name": name, "groups": groups}).scalar())


def add_login(session: Session, name: str, role: str, password: str | None) -> bool:
    """Create the login (when the server has none of that name) and grant it the project's group
    for `role`; True when a login was created. A lead gets the right to manage the team."""
    check_login_name(name)
    exists = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first()
    if exists and password is not None:
        raise UserError(f"the login {name} exists on this server already (another project's?) and keeps its own "
                        "password (its owner changes it with psql's \\password); run `team add` again without --password-stdin")
    connection = session.connection()
    if not exists:
        verifier = _verifier(connection, name, password) if password is not None else None
        connection.exec_driver_sql(f"CREATE ROLE {quoted(name)} LOGIN" + (" CREATEROLE" if role == "lead" else "")
                                   + (f" PASSWORD '{verifier}'" if verifier else ""))
    group = quoted(group_roles(session)[role])
    connection.exec_driver_sql(f"GRANT {group} TO {quoted(name)}" + (" WITH ADMIN OPTION" if role == "lead" else ""))
    return not exists


def remove_login(session: Session, name: str) -> None:
    """Take the login out of every group of this project: it can no longer connect to the
    project's database, and a session it still has open can no longer read or write."""
    if name == current_login(session):
        raise UserError(f"{name} is your own login; another lead must take you off the team")
    if session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first() is None:
        return
    for group in group_roles(session).values():
        if session.execute(text("SELECT pg_has_role(:name, :group, 'MEMBER')"), {"name": name, "group": group}).scalar():
            session.connection().exec_driver_sql(f"REVOKE {quoted(group)} FROM {quoted(name)}")


def _verifier(connection, name: str, password: str) -> str:
    """libpq's SCRAM-SHA-256 verifier of the password: what the server stores, never the password."""
    pgconn = connection.connection.dbapi_connection.pgconn
    verifier = pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
    if not _VERIFIER.fullmatch(verifier):  # it goes into the statement: nothing but the verifier may
        raise UserError("libpq returned an unexpected password verifier; nothing was changed — report this")
    return verifier
