"""Writes to the audit log: one function, called by the services that do the audited action."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from .context import current_ip
from .models import AuditEntry


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: str = "",
    ip: str | None = None,
    reason: str = "",
    room_id: int | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` is a user or None (anonymous); never pass bodies or secrets.

    Without ``ip``, the address of the HTTP request being served (if any) is recorded.
    """
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action[:64],
        target=target[:255],
        ip=ip or current_ip.get() or None,
        reason=reason[:255],
        room_id=room_id,
    )


def audit_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.PREAU["AUDIT_RETENTION_DAYS"])


def audit_purge(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete entries older than the configured retention (PREAU_AUDIT_RETENTION_DAYS)."""
    old = AuditEntry.objects.filter(created_at__lt=audit_cutoff(now))
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
