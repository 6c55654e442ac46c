"""Shared steps of the webinar services: logging, the three audiences, checks of input."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, TooLarge
from backend.rooms.eventlog import event_append, room_lock

from .. import events
from ..models import Host, ModerationAction, Question, Webinar

REASON_MAX = 500
LABEL_MAX = 32
LABELS_MAX = 5


def host_ids(webinar_id: int) -> list[int]:
    return list(Host.objects.filter(webinar_id=webinar_id).values_list("user_id", flat=True))


def to_hosts(*, webinar_id: int, event: events.HostEventKind, data: dict[str, Any]) -> None:
    """A hosts-only frame, sent after commit to every connection of each host, and to no one else."""
    frame = events.host_frame(webinar_id=webinar_id, event=event, data=data)
    ids = host_ids(webinar_id)

    from realtime import publish

    transaction.on_commit(lambda: publish.hosts_event(user_ids=ids, frame=frame))


def to_user(*, user_id: int, frame: dict[str, Any]) -> None:
    from realtime import publish

    transaction.on_commit(lambda: publish.user_event(user_id=user_id, frame=frame))


def to_room(*, webinar: Webinar, kind: events.RoomEventKind, data: dict[str, Any]) -> None:
    """A room event (seq'd, durable): only what every reader of the room may see."""
    event_append(room=room_lock(webinar.room_id), kind=kind, data=data)


def log_action(
    *,
    webinar: Webinar,
    actor: User | None,
    action: str,
    question: Question | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ModerationAction:
    record = ModerationAction.objects.create(
        webinar=webinar,
        question=question,
        actor=actor,
        action=action,
        reason=reason,
        data=data or {},
    )
    to_hosts(webinar_id=webinar.pk, event="action.logged", data=events.action_out(record))
    return record


def clean_text(value: Any, *, name: str, limit: int, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise BadRequest(_("« %(name)s » doit être une chaîne de caractères.") % {"name": name})
    if len(value) > limit:
        raise TooLarge(
            _("« %(name)s » est trop long (%(limit)d caractères au plus).")
            % {"name": name, "limit": limit}
        )
    value = value.strip()
    if required and not value:
        raise BadRequest(_("« %(name)s » est obligatoire.") % {"name": name})
    return value


def clean_labels(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > LABELS_MAX:
        raise BadRequest(
            _("« labels » est une liste de %(n)d étiquettes au plus.") % {"n": LABELS_MAX}
        )
    labels: list[str] = []
    for item in value:
        label = clean_text(item, name="labels", limit=LABEL_MAX)
        if label not in labels:
            labels.append(label)
    return labels
