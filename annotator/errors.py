"""The errors a user sees: a message saying what, where and what to do."""


class UserError(Exception):
    """Bad input or a refused action; its message is one line meant for the user."""


class ProjectBusy(UserError):
    """Another program held the project's write lock for longer than the busy timeout.

    Nothing was written; the same action can simply be tried again (the window does)."""


class ProjectReadOnly(UserError):
    """The project file (or its folder) cannot be written by this user: reading still works."""


class ServerUnavailable(UserError):
    """The database server cannot be reached, or the connection to it was lost: nothing of the
    unit of work that met it was written; the same action can be tried again once it is back."""
