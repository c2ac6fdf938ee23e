"""Errors the core raises for a person to read.

Every error a user can cause carries a message that names what went wrong and a
hint that says how to fix it. The CLI prints both and exits non-zero; the app
shows them in a notification. Neither ever shows a traceback for these.
"""

from __future__ import annotations


class CtdcError(Exception):
    """A problem the user can act on: ``message`` says what, ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  fix: {self.hint}"
        return self.message
