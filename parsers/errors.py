"""The one exception type for files that cannot be read, with the contract's stable codes."""

from __future__ import annotations

from typing import get_args

from models.roadmap import ErrorCode

ERROR_CODES: frozenset[str] = frozenset(get_args(ErrorCode))


class ExtractionError(Exception):
    """A file that gives no plan. `code` is one of the contract's error codes."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: ErrorCode = code
        self.message = message
