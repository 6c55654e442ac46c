"""Writes to the audit log: one function, called by the services that do the audited action."""

from __future__ import annotations

from typing import Any

from .models import AuditEntry


def audit_record(
    *, action: str, actor: Any = None, target: str = "", ip: str | None = None, reason: str = ""
) -> AuditEntry:
    """Append one entry. ``actor`` is a user or None (anonymous); never pass bodies or secrets."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action[:64],
        target=target[:255],
        ip=ip or None,
        reason=reason[:255],
    )
