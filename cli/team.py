"""`annotator team add / list / remove / policy`: who is on the project, with which role."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from annotator.errors import UserError
from cli.common import ProjectArg, choices, fail, is_utf8, one_line_errors, opened_project, stdout_console

Role = choices("Role", ("annotator", "reviewer", "lead"))  # annotator.team.TEAM_ROLES
YesNo = choices("YesNo", ("yes", "no"))

app = typer.Typer(help="Who is on the project, with which role (on PostgreSQL: their logins).",
                  no_args_is_help=True, add_completion=False)


@app.command("add")
def add(
    project: ProjectArg,
    name: Annotated[str, typer.Argument(help="The person's name: their login on a server.")],
    role: Annotated[Role, typer.Option(help="annotator: their own work; reviewer: everyone's, writes gold; lead: everything.")] = Role.annotator,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the new login's password from one line of standard input (PostgreSQL).")] = False,
) -> None:
    """Put a person on the team (on PostgreSQL: create their login and grant it the role)."""
    if not is_utf8(name):
        fail(f"{name!r}: not UTF-8 text (the terminal passed other bytes); type the name in UTF-8")
    from annotator.team.members import team_add

    with one_line_errors():
        password = _read_password() if password_stdin else None
        with opened_project(project) as opened:
            added = team_add(opened, name, role.value, password)
    how = ("login created" + ("" if password else " without a password: it connects only where the server trusts "
                              "it without one; give one with --password-stdin next time"))
    how = how if added.login_created else ("back on the team, with their earlier work" if added.returned else "")
    stdout_console.print(f"{escape(added.name)} added as {added.role}" + (f" ({how})" if how else ""), soft_wrap=True)


@app.command("list")
def list_(
    project: ProjectArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts: [{\"name\": …, \"role\": …}, …].")] = False,
) -> None:
    """The people on the team and their roles, in the order they joined."""
    from annotator.team.members import team_list

    with one_line_errors(), opened_project(project) as opened:
        members = team_list(opened)
    if as_json:
        print(json.dumps(members, ensure_ascii=False, indent=2))
        return
    table = Table("name", "role")
    for member in members:
        table.add_row(Text(member["name"]), member["role"])
    stdout_console.print(table)


@app.command("remove")
def remove(
    project: ProjectArg,
    name: Annotated[str, typer.Argument(help="Who leaves the team.")],
) -> None:
    """Take a person off the team: their work stays, attributed to them; on PostgreSQL their login
    can no longer connect to the project."""
    from annotator.team.members import team_remove

    with one_line_errors(), opened_project(project) as opened:
        role = team_remove(opened, name)
    stdout_console.print(f"{escape(name)} ({role}) removed from the team; their work stays in the project", soft_wrap=True)


@app.command("policy")
def policy(
    project: ProjectArg,
    see_others: Annotated[YesNo, typer.Option("--see-others", help="yes: annotators read each other's work; no: blind annotation.")],
) -> None:
    """Set what annotators may see of each other's work (default: nothing)."""
    from annotator.team.members import set_see_others

    with one_line_errors(), opened_project(project) as opened:
        set_see_others(opened, see_others.value == "yes")
    stdout_console.print("annotators " + ("now see each other's work" if see_others.value == "yes"
                                          else "see only their own work (blind)"))


def _read_password() -> str:
    """One line of standard input, its line end removed; never echoed nor stored."""
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise UserError("--password-stdin read an empty line; pipe the password in, e.g. "
                        "`printf '%s\\n' \"$PASSWORD\" | annotator team add …`")
    return password
