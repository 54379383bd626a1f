"""The errors a user sees: a message saying what, where and what to do."""


class UserError(Exception):
    """Bad input or a refused action; its message is one line meant for the user."""


class ProjectBusy(UserError):
    """Another program held the project's write lock for longer than the busy timeout.

    Nothing was written; the same action can simply be tried again (the window does)."""


class ProjectReadOnly(UserError):
    """The project file (or its folder) cannot be written by this user: reading still works."""


class ServerUnavailable(UserError):
    """The database server cannot be reached, or the connection to it was lost; the same action
    can be tried again once it is back.

    A connection lost before the commit leaves nothing written. One lost while committing leaves
    the unit of work either wholly written or not at all, and no way to tell which from here:
    `changes` holds the Changes that unit of work built (empty when it built none), so that a retry
    can write exactly those rows once (`changes.apply_once`) instead of running the command again."""

    def __init__(self, message: str, changes: tuple = ()) -> None:
        super().__init__(message)
        self.changes = changes
