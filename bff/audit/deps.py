"""Dependencies of the audit capability."""

from __future__ import annotations

from litestar.datastructures import State

from bff.audit.services import AuditLog


def provide_audit(state: State) -> AuditLog:
    return state.audit
