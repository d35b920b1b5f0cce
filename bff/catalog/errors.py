"""Refusals of the catalogue capability and how they answer over HTTP."""

from __future__ import annotations

from typing import Literal

from bff.lib.errors import DomainError, ErrorAnswer, ErrorTable


class CameraNotFound(DomainError):
    """The catalogue has no camera with this device code."""


class ImportRefused(DomainError):
    """An uploaded catalogue cannot be imported at all: no file, not CSV/XLSX, or a file
    that cannot be read (row problems are reported, not refused)."""

    def __init__(self, reason: Literal["no_file", "bad_type", "unreadable"]) -> None:
        super().__init__(reason)
        self.reason = reason


CATALOG_ERRORS: ErrorTable = {
    CameraNotFound: lambda _: ErrorAnswer(404, "camera.not_found"),
    ImportRefused: lambda exc: ErrorAnswer(400, f"import.{exc.reason}"),
}
