"""Webinar lifecycle: create, update, settings, start, end, hosts, registration, attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound
from backend.rooms.access import access_room_readable, is_moderator
from backend.rooms.models import Room

from .. import events
from ..access import access_webinar, require_role
from ..models import QUESTION_MAX_LENGTH, Host, Registration, Webinar
from ..states import WEBINAR_MOVES
from .common import clean_text, log_action, to_room

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


@dataclass(frozen=True)
class WebinarResult:
    webinar: Webinar
    changed: bool = True


def _when(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise BadRequest(
            _("« %(name)s » doit être une date ISO 8601 avec fuseau horaire.") % {"name": name}
        )
    return parsed


def _settings(webinar: Webinar, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name in ("intake_open", "anonymous_allowed", "premoderation"):
        if name in fields and fields[name] is not None:
            if not isinstance(fields[name], bool):
                raise BadRequest(_("« %(name)s » doit être un booléen.") % {"name": name})
            setattr(webinar, name, fields[name])
            changed.append(name)
    if fields.get("max_length") is not None:
        value = fields["max_length"]
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadRequest(_("« max_length » doit être un entier."))
        if not 1 <= value <= QUESTION_MAX_LENGTH:
            raise BadRequest(
                _("« max_length » est compris entre 1 et %(n)d.") % {"n": QUESTION_MAX_LENGTH}
            )
        webinar.max_length = value
        changed.append("max_length")
    return changed


def _details(webinar: Webinar, fields: dict[str, Any]) -> list[str]:
    changed = []
    if fields.get("title") is not None:
        webinar.title = clean_text(fields["title"], name="title", limit=TITLE_MAX)
        changed.append("title")
    if fields.get("description") is not None:
        webinar.description = clean_text(
            fields["description"], name="description", limit=DESCRIPTION_MAX, required=False
        )
        changed.append("description")
    if fields.get("starts_at") is not None:
        webinar.starts_at = _when(fields["starts_at"], "starts_at")
        changed.append("starts_at")
    if fields.get("ends_at") is not None:
        webinar.ends_at = _when(fields["ends_at"], "ends_at")
        changed.append("ends_at")
    if webinar.ends_at <= webinar.starts_at:
        raise BadRequest(_("La fin doit suivre le début."), reason="ends_before_start")
    return changed


NEW_ROOM_ACCESS = ("organisation", "open", "invite")


def _room_for_webinar(
    *, actor: User, title: str, description: str, new_room: dict[str, Any]
) -> Room:
    """A room created for the webinar, named after it, the creator its owner.

    Invite-only makes it private; open or organisation-wide makes it thematic (a theme is then
    required, as for any thematic room). ``room_create`` applies every rule of room creation.
    """
    from backend.rooms.services import room_create

    if not isinstance(new_room, dict) or set(new_room) - {"access", "theme"}:
        raise BadRequest(_("« new_room » accepte access et theme."), reason="bad_new_room")
    access = new_room.get("access") or "organisation"
    if access not in NEW_ROOM_ACCESS:
        raise BadRequest(
            _("« new_room.access » vaut organisation, open ou invite."), reason="bad_new_room"
        )
    theme = new_room.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise BadRequest(_("« new_room.theme » est le code d'un thème."), reason="bad_new_room")
    kind = Room.Kind.PRIVATE if access == "invite" else Room.Kind.THEMATIC
    return room_create(
        actor=actor,
        name=title[:100],
        kind=kind,
        access=access,
        description=description[:2000],
        theme=theme,
    ).room


@transaction.atomic
def webinar_create(
    *,
    actor: User,
    title: Any,
    starts_at: Any,
    ends_at: Any,
    room_id: int | None = None,
    new_room: dict[str, Any] | None = None,
    description: Any = "",
    **settings: Any,
) -> WebinarResult:
    """Schedule a webinar in a room the actor moderates, or in a room created for it (``new_room``:
    access and theme); the creator becomes its first moderator."""
    title = clean_text(title, name="title", limit=TITLE_MAX)
    description = clean_text(description, name="description", limit=DESCRIPTION_MAX, required=False)
    if (room_id is None) == (new_room is None):
        raise BadRequest(
            _("Indiquez soit un salon existant (room), soit un salon à créer (new_room)."),
            reason="room_or_new_room",
        )
    webinar = Webinar(
        title=title,
        description=description,
        starts_at=_when(starts_at, "starts_at"),
        ends_at=_when(ends_at, "ends_at"),
        created_by=actor,
    )
    _details(webinar, {})
    _settings(webinar, settings)
    if new_room is not None:
        if not actor.is_agent:
            raise Forbidden()
        room = _room_for_webinar(
            actor=actor, title=title, description=description, new_room=new_room
        )
    else:
        room, membership = access_room_readable(actor=actor, room_id=room_id)
        if not is_moderator(user=actor, membership=membership):
            raise Forbidden(_("Seuls les modérateurs du salon peuvent y programmer un webinaire."))
        if room.archived_at is not None:
            raise Forbidden(_("Ce salon est archivé."))
    webinar.room = room
    webinar.save()
    Host.objects.create(webinar=webinar, user=actor, role=Host.Role.MODERATOR)
    to_room(webinar=webinar, kind="webinar.created", data=dict(events.webinar_out(webinar)))
    log_action(webinar=webinar, actor=actor, action="create")
    return WebinarResult(webinar=webinar)


def _locked(webinar_id: int) -> Webinar:
    return Webinar.objects.select_for_update().select_related("room").get(pk=webinar_id)


def _publish_update(webinar: Webinar) -> None:
    to_room(webinar=webinar, kind="webinar.updated", data=dict(events.webinar_out(webinar)))


@transaction.atomic
def webinar_update(*, actor: User, webinar_id: int, **fields: Any) -> WebinarResult:
    """Change the title, description, times or settings (moderators, any time before the end)."""
    webinar, host = access_webinar(actor=actor, webinar_id=webinar_id)
    require_role(host=host, action="update")
    webinar = _locked(webinar.pk)
    if webinar.state == Webinar.State.ENDED and any(
        fields.get(k) is not None for k in ("starts_at", "ends_at")
    ):
        raise Conflict(_("Ce webinaire est terminé."), reason="webinar_ended")
    changed = _details(webinar, fields) + _settings(webinar, fields)
    if not changed:
        return WebinarResult(webinar=webinar, changed=False)
    webinar.save()
    _publish_update(webinar)
    log_action(webinar=webinar, actor=actor, action="update", data={"fields": changed})
    return WebinarResult(webinar=webinar)


@transaction.atomic
def webinar_transition(*, actor: User, webinar_id: int, action: str) -> WebinarResult:
    """``start`` (programmé → en direct) or ``end`` (en direct → terminé)."""
    if action not in WEBINAR_MOVES:
        raise BadRequest(_("Action inconnue."))
    webinar, host = access_webinar(actor=actor, webinar_id=webinar_id)
    require_role(host=host, action=action)
    webinar = _locked(webinar.pk)
    source, target = WEBINAR_MOVES[action]
    if webinar.state != source:
        raise Conflict(
            _("Impossible depuis l'état « %(state)s ».")
            % {"state": Webinar.State(webinar.state).label},
            reason="bad_transition",
        )
    webinar.state = target
    now = timezone.now()
    if target == Webinar.State.LIVE:
        webinar.started_at = now
    else:
        webinar.ended_at = now
        webinar.highlighted = None
    webinar.save()
    if target == Webinar.State.ENDED:
        from .bridge import qa_thread_open

        qa_thread_open(webinar=webinar, actor=actor)
    _publish_update(webinar)
    log_action(webinar=webinar, actor=actor, action=action)
    return WebinarResult(webinar=webinar)


@transaction.atomic
def host_set(*, actor: User, webinar_id: int, user_id: int, role: str | None) -> WebinarResult:
    """Add a host, change their role, or remove them (``role`` None). A webinar keeps a moderator."""
    if role is not None and role not in Host.Role.values:
        raise BadRequest(_("Rôle inconnu : speaker ou moderator."))
    webinar, host = access_webinar(actor=actor, webinar_id=webinar_id)
    require_role(host=host, action="hosts")
    webinar = _locked(webinar.pk)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_agent:
        raise NotFound(_("Agent introuvable."))
    if role is None:
        Host.objects.filter(webinar=webinar, user=user).delete()
    else:
        Host.objects.update_or_create(webinar=webinar, user=user, defaults={"role": role})
    if not Host.objects.filter(webinar=webinar, role=Host.Role.MODERATOR).exists():
        raise Conflict(_("Un webinaire garde au moins un modérateur."), reason="last_moderator")
    log_action(webinar=webinar, actor=actor, action="host", data={"user": user.pk, "role": role})
    return WebinarResult(webinar=webinar)


def registration_set(*, actor: User, webinar_id: int, registered: bool) -> WebinarResult:
    """Register to (or unregister from) a webinar one may attend; idempotent."""
    webinar, _host = access_webinar(actor=actor, webinar_id=webinar_id)
    if registered:
        if webinar.state == Webinar.State.ENDED:
            raise Conflict(_("Ce webinaire est terminé."), reason="webinar_ended")
        try:
            with transaction.atomic():
                Registration.objects.create(webinar=webinar, user=actor)
        except IntegrityError:
            return WebinarResult(webinar=webinar, changed=False)
        return WebinarResult(webinar=webinar)
    deleted, _n = Registration.objects.filter(webinar=webinar, user=actor).delete()
    return WebinarResult(webinar=webinar, changed=bool(deleted))


def attendance_peak_record(*, webinar_id: int, count: int) -> int:
    """Raise the recorded peak to ``count`` if higher (one conditional UPDATE, no lock held)."""
    Webinar.objects.filter(pk=webinar_id, peak_attendance__lt=count).update(peak_attendance=count)
    return Webinar.objects.values_list("peak_attendance", flat=True).get(pk=webinar_id)
