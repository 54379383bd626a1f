"""The one error type a user sees: a message saying what, where and what to do."""


class UserError(Exception):
    """Bad input or a refused action; its message is one line meant for the user."""
