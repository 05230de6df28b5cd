"""Errors of the API and the pages: one JSON shape for the API, a friendly page for people."""

from __future__ import annotations

from typing import Any


class ServeError(Exception):
    """A request the server refuses: ``status`` (HTTP), ``code`` (stable word), ``message``."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.details:
            err["details"] = self.details
        return {"error": err}


def bad_request(code: str, message: str, **details: Any) -> ServeError:
    return ServeError(400, code, message, **details)


def not_found(what: str, name: str) -> ServeError:
    return ServeError(404, "not_found", f"no {what} {name!r}", what=what)


def unavailable(what: str, command: str) -> ServeError:
    """An analytics result that has not been computed for this store yet."""
    return ServeError(409, "not_computed", f"{what} have not been computed for this store; "
                      f"run `{command}` first", command=command)
