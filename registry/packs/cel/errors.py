"""Exceptions raised by the CEL compiler and by compiled CEL code."""

from __future__ import annotations


class CelError(Exception):
    """Root of every error this package raises on purpose.

    ``line`` and ``column`` are 1-based positions in the CEL source; they are
    ``None`` when unknown (always for evaluation errors, which carry no source).
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return f"{self.message} (line {self.line})"
        return f"{self.message} (line {self.line}, column {self.column})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.line!r}, {self.column!r})"


class CelSyntaxError(CelError):
    """The source text is not a CEL expression."""


class CelCompileError(CelError):
    """The expression parses but cannot be compiled (unknown name or function, bad types...)."""


class CelEvalError(CelError):
    """Evaluating compiled code failed (no such key, no matching overload, overflow...)."""
