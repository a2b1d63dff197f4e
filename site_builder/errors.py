"""The one error type for mistakes a user can make, and how it is shown.

A ``SiteError`` names the file (relative to the project root) and, where known,
the line, plus a hint for the fix. Stages collect them and raise ``SiteErrors``
once, so an editor sees every problem of a run together.
"""

from __future__ import annotations

from collections.abc import Iterable


class SiteError(Exception):
    """A mistake in the site's input: content, configuration, templates or command line."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        return format_error(self)

    def __repr__(self) -> str:
        return f"SiteError({format_error(self)!r})"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path or "", self.line or 0, self.message)


class SiteErrors(Exception):
    """Several ``SiteError``s found by one stage, in a stable order."""

    def __init__(self, errors: Iterable[SiteError]) -> None:
        self.errors = tuple(sorted(errors, key=SiteError.sort_key))
        super().__init__("\n".join(format_error(e) for e in self.errors))


def raise_if_any(errors: list[SiteError]) -> None:
    if errors:
        raise SiteErrors(errors)


def format_error(error: SiteError) -> str:
    """``path:line: message (hint: …)`` — one line, the form editors and CI see."""
    where = ""
    if error.path:
        where = f"{error.path}:{error.line}: " if error.line else f"{error.path}: "
    hint = f" (hint: {error.hint})" if error.hint else ""
    return f"{where}{error.message}{hint}"
