"""One error type for everything a reader or the build refuses, so the CLI can print it plainly."""

from __future__ import annotations


class LoaderError(Exception):
    """A file or download we cannot turn into trustworthy rows.

    The message always names the source, and where it helps the line and what was expected,
    so that a user can open the file and see the problem without a traceback.
    """

    def __init__(self, source: str, problem: str, *, line: int | None = None, expected: str | None = None):
        self.source = str(source)
        self.problem = problem
        self.line = line
        self.expected = expected
        where = f"{self.source}, line {line}" if line is not None else self.source
        text = f"{where}: {problem}"
        if expected:
            text += f" (expected {expected})"
        super().__init__(text)
