"""Errors a user can act on.

Raise ``UserError`` (or a subclass) with a one-line message that says what is
wrong and what to do; the CLI prints it as ``tf1repro: error: <message>`` and
exits non-zero, without a traceback.  The machine's failures (no space, I/O,
memory) are ``files.ResourceError``, exit status 4.
"""


class UserError(Exception):
    """A problem with the user's input, files or environment, not a bug."""

    exit_code = 2


class DataError(UserError):
    """A data file is missing, corrupt, truncated or not what it claims to be."""
