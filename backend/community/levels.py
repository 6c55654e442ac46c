"""Points and levels: an append-only ledger, a cached standing, the capabilities it gates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import User
from backend.common.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited

from .models import PointEntry, Standing, UsefulMark

REFERENT = 5
LEVEL_NAMES = {
    1: gettext_lazy("nouveau membre"),
    2: gettext_lazy("membre actif"),
    3: gettext_lazy("contributeur"),
    4: gettext_lazy("super-contributeur"),
    5: gettext_lazy("animateur référent"),
}
LINK_RE = re.compile(r"(https?://|www\.)\S", re.IGNORECASE)


def level_for(points: int, *, referent: bool = False) -> int:
    if referent:
        return REFERENT
    thresholds = settings.PREAU["LEVEL_THRESHOLDS"]
    level = 1
    for index, threshold in enumerate(thresholds[1:], start=2):
        if points >= threshold:
            level = index
    return level


def level_ref(standing: Standing | None) -> dict[str, Any]:
    level = standing.level if standing is not None else 1
    return {
        "level": level,
        "label": str(LEVEL_NAMES[level]),
        "points": standing.points if standing is not None else 0,
    }


def level_of(user_id: int) -> int:
    standing = Standing.objects.filter(user_id=user_id).only("level").first()
    return standing.level if standing is not None else 1


def levels_of(user_ids: list[int]) -> dict[int, int]:
    found = dict(Standing.objects.filter(user_id__in=user_ids).values_list("user_id", "level"))
    return {user_id: found.get(user_id, 1) for user_id in user_ids}


def _standing_locked(user_id: int) -> Standing:
    Standing.objects.get_or_create(user_id=user_id)
    return Standing.objects.select_for_update().get(user_id=user_id)


def _save_standing(standing: Standing, *, points: int) -> None:
    before = standing.level
    standing.points = points
    standing.level = level_for(points, referent=standing.referent)
    standing.updated_at = timezone.now()
    standing.save(update_fields=["points", "level", "updated_at"])
    if standing.level != before:
        _announce(standing)


def _announce(standing: Standing) -> None:
    """Tell the member's sockets, and the readers of the rooms they belong to."""
    from backend.rooms.models import Membership

    user = User.objects.only("name").get(pk=standing.user_id)
    frame = {
        "type": "member.level",
        "user": {"id": user.pk, "name": user.name},
        **level_ref(standing),
    }
    public = {**frame, "points": None}
    room_ids = list(Membership.objects.filter(user_id=user.pk).values_list("room_id", flat=True))

    def publish() -> None:
        from realtime import publish as bus

        bus.user_event(user_id=user.pk, frame=frame)
        for room_id in room_ids:
            bus.room_ephemeral(room_id=room_id, frame=public)

    transaction.on_commit(publish)


def _net(user_id: int, source: str) -> int:
    total = PointEntry.objects.filter(user_id=user_id, source=source).aggregate(n=Sum("amount"))
    return total["n"] or 0


@transaction.atomic
def points_award(*, user_id: int, kind: str, source: str) -> bool:
    """Credit ``kind``'s points for ``source`` once: a repeat changes nothing."""
    amount = settings.PREAU["POINTS"][kind]
    standing = _standing_locked(user_id)
    if _net(user_id, source) != 0:
        return False
    PointEntry.objects.create(user_id=user_id, kind=kind, amount=amount, source=source)
    _save_standing(standing, points=standing.points + amount)
    return True


@transaction.atomic
def points_grant(*, user_id: int, amount: int, source: str) -> bool:
    """Points given by the platform itself (accounts that predate levels, the demo), once per
    source."""
    standing = _standing_locked(user_id)
    if _net(user_id, source) != 0:
        return False
    PointEntry.objects.create(
        user_id=user_id, kind=PointEntry.Kind.GRANT, amount=amount, source=source
    )
    _save_standing(standing, points=standing.points + amount)
    return True


@transaction.atomic
def points_withdraw(*, user_id: int, source: str) -> bool:
    """Cancel what ``source`` earned, with a negative line (the ledger is append-only)."""
    standing = _standing_locked(user_id)
    net = _net(user_id, source)
    if net == 0:
        return False
    kind = PointEntry.objects.filter(user_id=user_id, source=source).values_list("kind", flat=True)[
        0
    ]
    PointEntry.objects.create(user_id=user_id, kind=kind, amount=-net, source=source)
    _save_standing(standing, points=standing.points - net)
    return True


@transaction.atomic
def standing_recompute(*, user_id: int) -> Standing:
    standing = _standing_locked(user_id)
    total = PointEntry.objects.filter(user_id=user_id).aggregate(n=Sum("amount"))["n"] or 0
    _save_standing(standing, points=total)
    return standing


@transaction.atomic
def referent_set(*, actor: User, user_id: Any, referent: Any) -> Standing:
    """Staff grant (or withdraw) the top level, animateur référent."""
    if not actor.is_staff:
        raise Forbidden(_("Seule l'équipe de la plateforme nomme les animateurs référents."))
    if not isinstance(referent, bool):
        raise BadRequest(_("« referent » vaut true ou false."))
    if not User.objects.filter(pk=user_id, is_active=True, is_bot=False).exists():
        raise NotFound()
    standing = _standing_locked(user_id)
    standing.referent = referent
    standing.save(update_fields=["referent"])
    _save_standing(standing, points=standing.points)
    from backend.audit.services import audit_record

    audit_record(
        action="member.referent_granted" if referent else "member.referent_withdrawn",
        actor=actor,
        target=f"user:{user_id}",
    )
    return standing


# --- hooks called by the messaging and moderation services ------------------------------------


def on_message_sent(*, message: Any, root_author_id: int | None, has_files: bool) -> None:
    if message.author.is_bot:
        return
    if message.thread_id is not None and root_author_id not in (None, message.author_id):
        points_award(user_id=message.author_id, kind="thread_reply", source=f"reply:{message.pk}")
    if message.documents or has_files:
        points_award(user_id=message.author_id, kind="document", source=f"doc:{message.pk}")


def on_message_removed(*, message: Any) -> None:
    for source in (f"reply:{message.pk}", f"doc:{message.pk}", f"useful:{message.pk}"):
        points_withdraw(user_id=message.author_id, source=source)


def on_reaction_changed(*, message: Any, reactor_id: int) -> None:
    """One point award per reactor and message, whatever the number of emoji; never for
    reacting to oneself."""
    from backend.messaging.models import Reaction

    if reactor_id == message.author_id or message.author_id is None:
        return
    source = f"reaction:{message.pk}:{reactor_id}"
    if Reaction.objects.filter(message_id=message.pk, user_id=reactor_id).exists():
        points_award(user_id=message.author_id, kind="reaction", source=source)
    else:
        points_withdraw(user_id=message.author_id, source=source)


def on_read(*, user_id: int) -> None:
    """Reading counts a little: one point a day at most."""
    source = f"read:{timezone.localdate()}"
    # Read marks are frequent: skip the lock once today's point is in.
    if PointEntry.objects.filter(user_id=user_id, source=source).exists():
        return
    points_award(user_id=user_id, kind="reading", source=source)


def on_report_upheld(*, report: Any) -> None:
    points_award(user_id=report.message.author_id, kind="report", source=f"report:{report.pk}")


# --- gates -------------------------------------------------------------------------------------


def require_may_post_content(
    *, actor: User, body: str, documents: list, files: Any, sending: bool = True
) -> None:
    """A new member's messages carry no links or files, and are rate-limited more strictly
    (``sending``; an edit is checked for links only)."""
    if actor.is_bot or actor.is_staff:
        return
    needed = settings.PREAU["LEVEL_FOR_LINKS"]
    level = level_of(actor.pk)
    if level >= needed:
        return
    if documents or files or LINK_RE.search(body or ""):
        raise Forbidden(
            _(
                "En tant que nouveau membre, vous ne pouvez pas encore joindre de liens ni de "
                "fichiers : ce sera possible au niveau « %(level)s »."
            )
            % {"level": LEVEL_NAMES[needed]},
            reason="level_too_low",
            level=level,
            needed=needed,
        )
    per_minute = settings.PREAU["NEW_MEMBER_MESSAGES_PER_MINUTE"]
    if per_minute and sending:
        from backend.messaging.models import Message

        since = timezone.now() - timezone.timedelta(minutes=1)
        if Message.objects.filter(author=actor, created_at__gt=since).count() >= per_minute:
            raise RateLimited(
                _("Nouveau membre : %(n)s messages par minute au plus. Réessayez bientôt.")
                % {"n": per_minute},
                reason="new_member_rate",
                retry_after=60,
            )


def require_may_create_room(*, actor: User) -> None:
    if actor.is_staff or actor.is_bot:
        return
    needed = settings.PREAU["LEVEL_FOR_ROOMS"]
    if level_of(actor.pk) < needed:
        raise Forbidden(
            _("Créer un salon demande le niveau « %(level)s ».") % {"level": LEVEL_NAMES[needed]},
            reason="level_too_low",
            needed=needed,
        )


def require_may_write_fiches(*, actor: User) -> None:
    """Creating and editing fiches pratiques starts at LEVEL_FOR_FICHES (staff always may)."""
    if actor.is_staff:
        return
    needed = settings.PREAU["LEVEL_FOR_FICHES"]
    if actor.is_bot or level_of(actor.pk) < needed:
        raise Forbidden(
            _("Rédiger une fiche pratique demande le niveau « %(level)s ».")
            % {"level": LEVEL_NAMES[needed]},
            reason="level_too_low",
            needed=needed,
        )


def is_referent(user_id: int) -> bool:
    return Standing.objects.filter(user_id=user_id, referent=True).exists()


# --- useful answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UsefulResult:
    message_id: int
    useful: bool


@transaction.atomic
def useful_mark(*, actor: User, message_id: Any, useful: bool) -> UsefulResult:
    """The asker marks (or unmarks) a reply in their thread as useful."""
    from backend.messaging.models import Message
    from backend.rooms.access import access_room_readable
    from backend.rooms.eventlog import event_append, room_lock

    if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id <= 0:
        raise BadRequest(_("« message » doit être un identifiant de message."))
    message = Message.objects.filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        raise NotFound()
    access_room_readable(actor=actor, room_id=message.room_id)
    if message.thread_id is None:
        raise BadRequest(
            _("Seule une réponse dans un fil peut être jugée utile."), reason="not_reply"
        )
    asker = Message.objects.values_list("author_id", flat=True).get(pk=message.thread_id)
    if asker != actor.pk:
        raise Forbidden(_("Seul l'auteur de la question juge une réponse utile."))
    if message.author_id == actor.pk:
        raise Conflict(_("Vous ne pouvez pas juger utile votre propre réponse."), reason="own")
    locked = room_lock(message.room_id)
    exists = UsefulMark.objects.filter(message=message).exists()
    if exists == useful:
        return UsefulResult(message_id=message.pk, useful=useful)
    if useful:
        UsefulMark.objects.create(message=message, marked_by=actor)
        points_award(user_id=message.author_id, kind="useful", source=f"useful:{message.pk}")
    else:
        UsefulMark.objects.filter(message=message).delete()
        points_withdraw(user_id=message.author_id, source=f"useful:{message.pk}")
    event_append(
        room=locked,
        kind="message.useful",
        data={"message": message.pk, "thread": message.thread_id, "useful": useful},
        message_id=message.pk,
    )
    return UsefulResult(message_id=message.pk, useful=useful)
