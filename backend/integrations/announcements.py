"""Announcements: one message to an audience of rooms, pinned in each, with a read count.

An audience is a list of rooms, every geographic room within a territory (a département
includes its communes, by the territories' parent chain), every thematic room of a theme, or
the rooms reserved to the organisations of one kind (their agents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.accounts.models import Organisation, User
from backend.common.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PreauError,
    TooLarge,
)
from backend.messaging import services as messaging
from backend.rooms.access import access_room_readable, is_moderator, membership_of
from backend.rooms.events import iso
from backend.rooms.models import Membership, Room, Territory, Theme
from backend.rooms.services import territory_lookup

from . import ratelimit
from .models import Announcement, AnnouncementDelivery, BotGrant

PINNED_DAYS_MAX = 90
ROOMS_MAX = 2000
SCHEDULE_DAYS_MAX = 365


def territory_subtree(territory: Territory) -> list[int]:
    """The territory and every territory under it (région → départements → communes)."""
    ids, frontier = [territory.pk], [territory.pk]
    while frontier:
        frontier = list(
            Territory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    return ids


@dataclass(frozen=True)
class Audience:
    kind: str
    target: dict[str, Any]
    rooms: QuerySet[Room]


def audience_resolve(
    *,
    rooms: list[int] | None = None,
    territory: str | None = None,
    territory_level: str | None = None,
    theme: str | None = None,
    organisation_kind: str | None = None,
) -> Audience:
    given = [x for x in (rooms, territory, theme, organisation_kind) if x]
    if len(given) != 1:
        raise BadRequest(
            _("Indiquez une audience : rooms, territory, theme ou organisation_kind."),
            reason="bad_audience",
        )
    live = Room.objects.filter(archived_at__isnull=True).exclude(kind=Room.Kind.DIRECT)
    if rooms:
        if len(rooms) > ROOMS_MAX:
            raise TooLarge(_("Trop de salons (%(n)d au plus).") % {"n": ROOMS_MAX})
        wanted = sorted(set(rooms))
        return Audience(Announcement.Audience.ROOMS, {"rooms": wanted}, live.filter(pk__in=wanted))
    if territory:
        place = territory_lookup(territory, territory_level)
        return Audience(
            Announcement.Audience.TERRITORY,
            {"territory": place.insee_code, "level": place.level},
            live.filter(kind=Room.Kind.GEOGRAPHIC, territory_id__in=territory_subtree(place)),
        )
    if theme:
        found = Theme.objects.filter(slug=theme.strip().lower()).first()
        if found is None:
            raise BadRequest(_("Thème inconnu."), reason="unknown_theme")
        return Audience(
            Announcement.Audience.THEME,
            {"theme": found.slug},
            live.filter(kind=Room.Kind.THEMATIC, theme=found),
        )
    if organisation_kind not in Organisation.Kind.values:
        raise BadRequest(_("Type d'organisation inconnu."), reason="unknown_organisation_kind")
    return Audience(
        Announcement.Audience.ORGANISATION_KIND,
        {"organisation_kind": organisation_kind},
        live.filter(access=Room.Access.ORGANISATION, organisation__kind=organisation_kind),
    )


def _may_announce_in(*, actor: User, room: Room) -> bool:
    """Staff anywhere; a bot in rooms granted with posting; an agent in rooms it moderates."""
    if actor.is_staff:
        return True
    if actor.is_bot:
        return BotGrant.objects.filter(bot=actor, room=room, can_post=True).exists()
    return is_moderator(user=actor, membership=membership_of(user=actor, room_id=room.pk))


def _staff_behind(actor: User) -> bool:
    """Audiences beyond a list of rooms: staff, or a bot that staff own."""
    if actor.is_staff:
        return True
    return actor.is_bot and actor.bot_owner is not None and actor.bot_owner.is_staff


@dataclass(frozen=True)
class AnnouncementResult:
    announcement: Announcement
    room_ids: list[int]


def _check_targets(*, actor: User, body: str, audience: Audience, pinned_days: int) -> list[Room]:
    """Every rule of sending, for now or for later; returns the rooms it goes to."""
    if not actor.is_agent:
        raise Forbidden()
    limit = settings.PREAU["MESSAGE_MAX_CHARS"]
    if len(body) > limit:
        raise TooLarge(
            _("Le message dépasse %(n)s caractères ; il n'a pas été envoyé.") % {"n": limit}
        )
    if not body.strip():
        raise BadRequest(_("Le message est vide."), reason="empty")
    if not 0 <= pinned_days <= PINNED_DAYS_MAX:
        raise BadRequest(_("« pinned_days » va de 0 à %(n)d jours.") % {"n": PINNED_DAYS_MAX})
    if audience.kind != Announcement.Audience.ROOMS and not _staff_behind(actor):
        raise Forbidden(_("Seule l'équipe de la plateforme s'adresse à une telle audience."))
    targets = list(audience.rooms.order_by("pk"))
    if audience.kind == Announcement.Audience.ROOMS:
        visible = [r for r in targets if _readable_or_granted(actor=actor, room=r)]
        if len(visible) != len(audience.target["rooms"]):
            raise BadRequest(_("Salons inconnus dans l'audience."), reason="unknown_rooms")
        if not all(_may_announce_in(actor=actor, room=r) for r in targets):
            raise Forbidden(
                _("Vous ne pouvez publier une annonce que dans les salons que vous modérez.")
            )
    return targets


def _check_send_at(send_at: datetime | None) -> datetime | None:
    if send_at is None:
        return None
    if send_at.tzinfo is None:
        raise BadRequest(
            _("« send_at » doit indiquer son fuseau horaire (par exemple 2026-12-01T09:00:00Z)."),
            reason="naive_send_at",
        )
    now = timezone.now()
    if send_at <= now:
        raise BadRequest(_("« send_at » doit être dans le futur."), reason="send_at_past")
    if send_at > now + timedelta(days=SCHEDULE_DAYS_MAX):
        raise BadRequest(
            _("« send_at » est à %(n)d jours au plus.") % {"n": SCHEDULE_DAYS_MAX},
            reason="send_at_too_far",
        )
    return send_at


def _deliver(announcement: Announcement, targets: list[Room], *, now: datetime) -> None:
    messages = []
    for room in targets:
        message = messaging.message_send(
            actor=announcement.author,
            room_id=room.pk,
            body=announcement.body,
            meta={"announcement": announcement.pk},
            authorized=True,
        ).message
        AnnouncementDelivery.objects.create(
            announcement=announcement, room=room, message=message, seq=message.seq
        )
        messages.append(message)
    announcement.status = Announcement.Status.SENT
    announcement.sent_at = now
    announcement.pinned_until = now + timedelta(days=announcement.pinned_days)
    _publish_pinned(announcement_id=announcement.pk, room_ids=[room.pk for room in targets])
    from backend.home.live import announcement_delivered

    announcement_delivered(
        announcement_id=announcement.pk,
        author=announcement.author,
        body=announcement.body,
        at=now,
        messages=messages,
        organisation_kind=announcement.target.get("organisation_kind")
        if announcement.audience == Announcement.Audience.ORGANISATION_KIND
        else None,
    )


def _publish_pinned(*, announcement_id: int, room_ids: list[int]) -> None:
    """Tell whoever reads each room now that an announcement is pinned there (ephemeral: a
    client that is not connected finds it with ``GET /rooms/{id}/announcements``)."""

    def publish() -> None:
        from realtime import publish as bus

        for room_id in room_ids:
            bus.room_ephemeral(
                room_id=room_id,
                frame={"type": "announcement", "room": room_id, "announcement": announcement_id},
            )

    transaction.on_commit(publish)


@transaction.atomic
def announcement_send(
    *,
    actor: User,
    body: str,
    audience: Audience,
    pinned_days: int = 7,
    send_at: datetime | None = None,
) -> AnnouncementResult:
    """Send now, or schedule for ``send_at`` (checked now, and again when it is sent)."""
    send_at = _check_send_at(send_at)
    targets = _check_targets(actor=actor, body=body, audience=audience, pinned_days=pinned_days)
    if actor.is_bot:
        ratelimit.bot_post_spend(bot_id=actor.pk)
    now = timezone.now()
    announcement = Announcement.objects.create(
        author=actor,
        body=body,
        audience=audience.kind,
        target=audience.target,
        pinned_days=pinned_days,
        pinned_until=(send_at or now) + timedelta(days=pinned_days),
        status=Announcement.Status.SCHEDULED if send_at else Announcement.Status.SENT,
        send_at=send_at,
    )
    if send_at is None:
        _deliver(announcement, targets, now=now)
        announcement.save(update_fields=["status", "sent_at", "pinned_until"])
    _audit(
        "announcement.scheduled" if send_at else "announcement.sent",
        actor=actor,
        announcement=announcement,
    )
    return AnnouncementResult(announcement=announcement, room_ids=[r.pk for r in targets])


def _audience_of(announcement: Announcement) -> Audience:
    target = announcement.target
    if announcement.audience == Announcement.Audience.TERRITORY:
        return audience_resolve(territory=target["territory"], territory_level=target["level"])
    return audience_resolve(
        rooms=target.get("rooms"),
        theme=target.get("theme"),
        organisation_kind=target.get("organisation_kind"),
    )


def announcements_send_due(*, now: datetime | None = None, limit: int = 20) -> int:
    """Send the scheduled announcements whose time has come, each exactly once.

    Each is locked (``FOR UPDATE SKIP LOCKED``) and marked sent in the transaction that posts
    its messages, so concurrent senders (the worker of every server process, a cron
    ``preau announcements send-due``) never send one twice. The audience is resolved and the
    author's rights checked again at sending time; a refusal marks it ``failed``.
    """
    now = now or timezone.now()
    done = 0
    # A refusal is stored for its author to read later: in the site's language, whatever
    # language the calling thread last served a request in.
    with translation.override(settings.LANGUAGE_CODE):
        for _round in range(limit):
            with transaction.atomic():
                announcement = (
                    Announcement.objects.select_for_update(skip_locked=True)
                    .select_related("author")
                    .filter(status=Announcement.Status.SCHEDULED, send_at__lte=now)
                    .order_by("send_at", "pk")
                    .first()
                )
                if announcement is None:
                    break
                try:
                    with transaction.atomic():
                        targets = _check_targets(
                            actor=announcement.author,
                            body=announcement.body,
                            audience=_audience_of(announcement),
                            pinned_days=announcement.pinned_days,
                        )
                        _deliver(announcement, targets, now=now)
                except PreauError as exc:
                    announcement.status = Announcement.Status.FAILED
                    announcement.failure = str(exc.message)[:300]
                announcement.save(update_fields=["status", "sent_at", "pinned_until", "failure"])
                done += 1
    return done


@transaction.atomic
def announcement_cancel(*, actor: User, announcement_id: int) -> Announcement:
    """Cancel a scheduled announcement before it is sent (its author, owner or staff)."""
    found = _access_announcement(user=actor, announcement_id=announcement_id)
    locked = Announcement.objects.select_for_update().select_related("author").get(pk=found.pk)
    if locked.status != Announcement.Status.SCHEDULED:
        raise Conflict(
            _("Cette annonce n'est plus programmée : elle ne peut pas être annulée."),
            reason="not_scheduled",
        )
    locked.status = Announcement.Status.CANCELLED
    locked.save(update_fields=["status"])
    _audit("announcement.cancelled", actor=actor, announcement=locked)
    return locked


def _audit(action: str, *, actor: User, announcement: Announcement) -> None:
    """The announcement and its audience kind; its body stays out of the trail."""
    from backend.audit.services import audit_record

    audit_record(
        action=action,
        actor=actor,
        target=f"announcement:{announcement.pk}",
        reason=announcement.audience,
    )


def _readable_or_granted(*, actor: User, room: Room) -> bool:
    if actor.is_bot:
        return BotGrant.objects.filter(bot=actor, room=room).exists()
    try:
        access_room_readable(actor=actor, room_id=room.pk)
    except NotFound:
        return False
    return True


# --- reads -----------------------------------------------------------------------------------


def read_count(announcement: Announcement) -> int:
    """Agents (not bots, not the author) who read past the announcement in one of its rooms."""
    return read_counts([announcement]).get(announcement.pk, 0)


def read_counts(announcements: list[Announcement]) -> dict[int, int]:
    """``read_count`` of several announcements, in one query."""
    if not announcements:
        return {}
    rows = (
        Membership.objects.filter(
            room__announcement_deliveries__announcement_id__in=[a.pk for a in announcements],
            last_read_seq__gte=F("room__announcement_deliveries__seq"),
            user__is_bot=False,
        )
        # Annotations after the filter reuse its joins: the delivery read past, its author.
        .annotate(
            announcement=F("room__announcement_deliveries__announcement_id"),
            author=F("room__announcement_deliveries__announcement__author_id"),
        )
        .exclude(user_id=F("author"))
        .values("announcement")
        .annotate(readers=Count("user_id", distinct=True))
    )
    return {r["announcement"]: r["readers"] for r in rows}


def announcement_dict(
    announcement: Announcement, room_ids: list[int], *, read_by: int | None = None
) -> dict[str, Any]:
    return {
        "id": announcement.pk,
        "author": {"id": announcement.author.pk, "name": announcement.author.name},
        "body": announcement.body,
        "audience": announcement.audience,
        "target": announcement.target,
        "rooms": room_ids,
        "pinned_until": iso(announcement.pinned_until),
        "created_at": iso(announcement.created_at),
        "read_by": read_count(announcement) if read_by is None else read_by,
        "status": announcement.status,
        "send_at": iso(announcement.send_at) if announcement.send_at else None,
        "sent_at": iso(announcement.sent_at) if announcement.sent_at else None,
        "failure": announcement.failure,
    }


def _access_announcement(*, user: User, announcement_id: int) -> Announcement:
    """For its author, the bot's owner and staff."""
    found = Announcement.objects.select_related("author").filter(pk=announcement_id).first()
    if found is None:
        raise NotFound()
    allowed = (
        user.is_staff
        or found.author_id == user.pk
        or (found.author.is_bot and found.author.bot_owner_id == user.pk)
    )
    if not allowed:
        raise NotFound()
    return found


def announcement_detail_for(*, user: User, announcement_id: int) -> dict[str, Any]:
    found = _access_announcement(user=user, announcement_id=announcement_id)
    room_ids = list(found.deliveries.order_by("room_id").values_list("room_id", flat=True))
    return announcement_dict(found, room_ids)


def pinned_for(*, user: User, room_id: int) -> list[dict[str, Any]]:
    """The announcements pinned in a room now, newest first, for its readers."""
    room, _membership = access_room_readable(actor=user, room_id=room_id)
    deliveries = (
        AnnouncementDelivery.objects.filter(
            room=room, announcement__pinned_until__gt=timezone.now()
        )
        .select_related("announcement", "announcement__author")
        .order_by("-announcement__created_at")
    )
    deliveries = list(deliveries)
    counts = read_counts([d.announcement for d in deliveries])
    return [
        {
            **announcement_dict(
                d.announcement, [room.pk], read_by=counts.get(d.announcement_id, 0)
            ),
            "message": d.message_id,
        }
        for d in deliveries
    ]


LIST_MAX = 50


def announcement_list_for(*, user: User) -> list[dict[str, Any]]:
    """The latest announcements the user wrote, or one of the user's bots wrote."""
    found = list(
        Announcement.objects.filter(Q(author=user) | Q(author__bot_owner=user))
        .select_related("author")
        .prefetch_related("deliveries")
        .order_by("-created_at", "-pk")[:LIST_MAX]
    )
    counts = read_counts(found)
    return [
        announcement_dict(
            a,
            sorted(d.room_id for d in a.deliveries.all()),
            read_by=counts.get(a.pk, 0),
        )
        for a in found
    ]
