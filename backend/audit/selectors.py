"""Reading the audit trail: staff read everything, a room's moderators their room's entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest
from backend.rooms.events import iso, user_ref

from .models import AuditEntry

# Beyond these, a day's bounds would overflow the datetime range in some time zone.
EARLIEST, LATEST = date(1970, 1, 1), date(9000, 12, 31)


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the site's time zone (Europe/Paris), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _target_ref(target: str, users: dict[int, User]) -> dict[str, Any]:
    """``"user:7"`` names the member; ``"message:12"`` gives the message id; others stay as is."""
    kind, _sep, raw = target.partition(":")
    ref: dict[str, Any] = {"kind": kind if raw.isdigit() else "", "id": None, "user": None}
    if raw.isdigit():
        ref["id"] = int(raw)
        if kind == "user" and int(raw) in users:
            ref["user"] = user_ref(users[int(raw)])
    return ref


def audit_list_for(
    *,
    user: User,
    room_id: int | None = None,
    action: str | None = None,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest first; ``before`` (an entry id) pages back. ``since``/``until`` are inclusive days.

    Addresses (IP) are shown to staff only.
    """
    entries = AuditEntry.objects.select_related("actor").order_by("-pk")
    if room_id is not None:
        from backend.moderation.access import access_room_moderated

        access_room_moderated(actor=user, room_id=room_id)
        entries = entries.filter(room_id=room_id)
    elif not user.is_staff:
        raise BadRequest(
            _("Indiquez le salon (« room ») dont vous êtes modérateur."), reason="room_required"
        )
    for day in (since, until):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise BadRequest(
                _("Les dates vont du %(a)s au %(b)s.") % {"a": EARLIEST, "b": LATEST},
                reason="bad_period",
            )
    if since is not None and until is not None and since > until:
        raise BadRequest(
            _("La date de début (« since ») suit la date de fin (« until »)."), reason="bad_period"
        )
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(created_at__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    if before is not None:
        entries = entries.filter(pk__lt=before)
    page = list(entries[:limit])
    user_ids = set()
    for entry in page:
        kind, _sep, raw = entry.target.partition(":")
        if kind == "user" and raw.isdigit():
            user_ids.add(int(raw))
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    return [
        {
            "id": entry.pk,
            "actor": user_ref(entry.actor) if entry.actor_id else None,
            "action": entry.action,
            "target": entry.target,
            "target_ref": _target_ref(entry.target, users),
            "reason": entry.reason,
            "room": entry.room_id,
            "ip": entry.ip if user.is_staff else None,
            "created_at": iso(entry.created_at),
        }
        for entry in page
    ]
