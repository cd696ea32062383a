"""The one base of every error Cleanlens raises on purpose (pure).

A :class:`CleanlensError` carries a message for the user: one line that says what is wrong and, for a
file, where (file, row, column). The command line prints it and exits with status 2; the page shows it
and keeps what was loaded before. Anything else that escapes is a bug.
"""

from __future__ import annotations


class CleanlensError(ValueError):
    """An input or a request Cleanlens cannot use; ``str(error)`` is the user's one-line message.

    A :class:`ValueError`, so code written against the specific errors before this base existed still
    catches them.
    """
