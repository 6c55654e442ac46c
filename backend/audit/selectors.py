"""Reading the audit trail: staff read everything, a room's moderators their room's entries."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest
from backend.rooms.events import iso, user_ref

from .models import AuditEntry


def audit_list_for(
    *,
    user: User,
    room_id: int | None = None,
    action: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest first. Addresses (IP) are shown to staff only."""
    entries = AuditEntry.objects.select_related("actor").order_by("-pk")
    if room_id is not None:
        from backend.moderation.access import access_room_moderated

        access_room_moderated(actor=user, room_id=room_id)
        entries = entries.filter(room_id=room_id)
    elif not user.is_staff:
        raise BadRequest(
            _("Indiquez le salon (« room ») dont vous êtes modérateur."), reason="room_required"
        )
    if action:
        entries = entries.filter(action=action)
    if before is not None:
        entries = entries.filter(pk__lt=before)
    return [
        {
            "id": entry.pk,
            "actor": user_ref(entry.actor) if entry.actor_id else None,
            "action": entry.action,
            "target": entry.target,
            "reason": entry.reason,
            "room": entry.room_id,
            "ip": entry.ip if user.is_staff else None,
            "created_at": iso(entry.created_at),
        }
        for entry in entries[:limit]
    ]
