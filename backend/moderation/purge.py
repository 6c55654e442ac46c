"""Retention of the audit trail and of the content moderators hid (run by ``preau purge``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.audit.services import audit_cutoff, audit_purge

from .models import HiddenMessage


@dataclass(frozen=True)
class AuditPurgeResult:
    entries: int
    hidden_messages: int


def moderation_purge(*, now: datetime | None = None, dry_run: bool = False) -> AuditPurgeResult:
    """Erase hidden messages' content and audit entries older than PREAU_AUDIT_RETENTION_DAYS."""
    from backend.messaging.services import message_remove

    hidden = HiddenMessage.objects.filter(hidden_at__lt=audit_cutoff(now), erased=False)
    ids = list(hidden.values_list("pk", "message_id"))
    if not dry_run:
        for pk, message_id in ids:
            message_remove(message_id=message_id, by=None, erase=True)
            HiddenMessage.objects.filter(pk=pk).update(erased=True)
    entries = audit_purge(now=now, dry_run=dry_run)
    return AuditPurgeResult(entries=entries, hidden_messages=len(ids))
