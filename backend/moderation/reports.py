"""Reports: a member flags a message; the room's moderators (and staff) handle it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited
from backend.messaging.models import Message
from backend.rooms.access import (
    access_room_readable,
    can_read,
    membership_of,
    readable_rooms_q,
    require_member,
)
from backend.rooms.models import Membership, Room

from .access import access_room_moderated, check_id, moderator_ids
from .events import report_dict
from .models import Report
from .services import check_reason

REPORT_REASON_MAX = 500
REPORTS_PER_HOUR = 10
NOTE_MAX = 500


def _notify(user_ids: list[int], frame_for: Any) -> None:
    from realtime import publish

    for user_id in user_ids:
        frame = frame_for(user_id)
        transaction.on_commit(
            lambda user_id=user_id, frame=frame: publish.user_event(user_id=user_id, frame=frame)
        )


def _notify_moderators(report: Report, kind: str) -> None:
    frame = {"type": kind, "report": report_dict(report, for_moderator=True)}
    _notify(moderator_ids(report.room_id), lambda _user_id: frame)


@transaction.atomic
def report_create(*, actor: User, message_id: Any, reason: Any) -> Report:
    reason = check_reason(reason, required=True, limit=REPORT_REASON_MAX)
    message_id = check_id(message_id, "message")
    message = (
        Message.objects.select_related("author")
        .filter(pk=message_id, deleted_at__isnull=True)
        .first()
    )
    if message is None:
        raise NotFound()
    room, membership = access_room_readable(actor=actor, room_id=message.room_id)
    require_member(membership)
    if message.author_id == actor.pk:
        raise BadRequest(_("Vous ne pouvez pas signaler votre propre message."), reason="own")
    recent = Report.objects.filter(
        reporter=actor, created_at__gt=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= REPORTS_PER_HOUR:
        raise RateLimited(
            _("Trop de signalements en une heure ; réessayez plus tard."), retry_after=3600
        )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                room=room, message=message, reporter=actor, reason=reason
            )
    except IntegrityError:
        raise Conflict(
            _("Vous avez déjà signalé ce message ; les modérateurs l'examinent."),
            reason="already_reported",
        ) from None
    audit_record(
        action="report.created",
        actor=actor,
        target=f"message:{message.pk}",
        reason=reason,
        room_id=room.pk,
    )
    _notify_moderators(report, "report.created")
    return report


@transaction.atomic
def report_handle(*, actor: User, report_id: Any, status: Any, note: Any = "") -> Report:
    """Resolve (the report was right) or dismiss it, with a note; the reporter is told."""
    if status not in (Report.Status.RESOLVED, Report.Status.DISMISSED):
        raise BadRequest(_("« status » vaut resolved ou dismissed."))
    note = check_reason(note, limit=NOTE_MAX)
    report_id = check_id(report_id, "report")
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    try:
        access_room_moderated(actor=actor, room_id=report.room_id)
    except NotFound:
        raise NotFound() from None
    if report.status != Report.Status.OPEN:
        raise Conflict(_("Ce signalement a déjà été traité."), reason="already_handled")
    report.status = status
    report.note = note
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "note", "handled_by", "handled_at"])
    report = Report.objects.select_related("room", "message__author", "reporter", "handled_by").get(
        pk=report.pk
    )
    audit_record(
        action=f"report.{status}",
        actor=actor,
        target=f"report:{report.pk}",
        reason=note,
        room_id=report.room_id,
    )
    if status == Report.Status.RESOLVED:
        from backend.community.levels import on_report_upheld

        on_report_upheld(report=report)
    reporter = report.reporter
    known = can_read(
        user=reporter,
        room=report.room,
        membership=membership_of(user=reporter, room_id=report.room_id),
    )
    reporter_frame = {
        "type": "report.closed",
        "report": report_dict(report, for_moderator=False, room_known=known),
    }
    _notify([report.reporter_id], lambda _user_id: reporter_frame)
    _notify_moderators(report, "report.updated")
    return report


def _with_relations(reports: Any) -> Any:
    return reports.select_related("room", "message__author", "reporter", "handled_by")


def report_list_for(
    *, user: User, room_id: int | None = None, status: str | None = "open", limit: int = 200
) -> list[dict[str, Any]]:
    """The moderation queue: reports of the rooms the caller moderates (every room for staff)."""
    reports = Report.objects.all()
    if room_id is not None:
        access_room_moderated(actor=user, room_id=room_id)
        reports = reports.filter(room_id=room_id)
    elif not user.is_staff:
        moderated = Membership.objects.filter(
            user=user, role__in=(Membership.Role.OWNER, Membership.Role.MODERATOR)
        ).values("room_id")
        reports = reports.filter(room_id__in=moderated)
    if status is not None:
        reports = reports.filter(status=status)
    return [report_dict(r, for_moderator=True) for r in _with_relations(reports)[:limit]]


def reports_of(*, user: User, limit: int = 200) -> list[dict[str, Any]]:
    """The caller's own reports and their outcome."""
    reports = list(_with_relations(Report.objects.filter(reporter=user))[:limit])
    readable = set(
        Room.objects.filter(
            readable_rooms_q(user), pk__in={r.room_id for r in reports}
        ).values_list("pk", flat=True)
    )
    return [report_dict(r, for_moderator=False, room_known=r.room_id in readable) for r in reports]


def report_detail_for(*, user: User, report_id: int) -> dict[str, Any]:
    report = _with_relations(Report.objects.filter(pk=report_id)).first()
    if report is None:
        raise NotFound()
    if report.reporter_id == user.pk:
        known = can_read(
            user=user, room=report.room, membership=membership_of(user=user, room_id=report.room_id)
        )
        return report_dict(report, for_moderator=False, room_known=known)
    try:
        access_room_moderated(actor=user, room_id=report.room_id)
    except Forbidden:
        raise NotFound() from None
    return report_dict(report, for_moderator=True)
