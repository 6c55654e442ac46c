"""Writes for bots and incoming webhooks: grants, token rotation, hooks and their posts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import services as accounts
from backend.accounts.models import ApiToken, User
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, Forbidden, NotFound, TooLarge
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.messaging.services.mentions import EVERYONE_OPEN_UP_TO
from backend.rooms import events as room_events
from backend.rooms.eventlog import event_append, room_lock
from backend.rooms.models import Membership

from . import ratelimit, slack
from .access import access_bot, access_bot_grantable, require_bot_may_post
from .models import BotGrant, IncomingWebhook, OutgoingWebhook


def _not_a_bot(actor: User) -> None:
    if actor.is_bot:
        raise Forbidden(_("Un robot ne gère pas de robots."))


def _publish_membership(*, user_id: int, room_id: int, joined: bool) -> None:
    from realtime import publish

    transaction.on_commit(
        lambda: publish.membership_changed(user_id=user_id, room_id=room_id, joined=joined)
    )


@transaction.atomic
def bot_create(*, actor: User, name: str, description: str = "") -> accounts.TokenResult:
    _not_a_bot(actor)
    return accounts.bot_create(name=name, owner=actor, description=description)


@dataclass(frozen=True)
class RotateResult:
    token: accounts.TokenResult
    previous_expire_at: datetime


@transaction.atomic
def bot_token_rotate(*, actor: User, bot_id: int) -> RotateResult:
    bot = access_bot(actor=actor, bot_id=bot_id)
    grace = settings.PREAU["BOT_TOKEN_GRACE_SECONDS"]
    result = accounts.bot_token_rotate(bot=bot, grace_seconds=grace, actor=actor)
    until = result.record.created_at + timedelta(seconds=grace)
    return RotateResult(token=result, previous_expire_at=until)


@dataclass(frozen=True)
class GrantResult:
    grant: BotGrant
    created: bool


@transaction.atomic
def bot_grant(
    *, actor: User, bot_id: int, room_id: int, can_post: bool = True, can_read: bool = True
) -> GrantResult:
    """Let a bot act in a room: it becomes a member, with these rights."""
    bot, room = access_bot_grantable(actor=actor, bot_id=bot_id, room_id=room_id)
    if room.archived_at is not None:
        raise Forbidden(_("Ce salon est archivé."))
    locked = room_lock(room.pk)
    grant, created = BotGrant.objects.select_for_update().get_or_create(
        bot=bot,
        room=locked,
        defaults={"can_post": can_post, "can_read": can_read, "granted_by": actor},
    )
    changed = not created and (grant.can_post, grant.can_read) != (can_post, can_read)
    if changed:
        grant.can_post, grant.can_read = can_post, can_read
        grant.save(update_fields=["can_post", "can_read"])
    if created or changed:
        audit_record(
            action="bot.granted" if created else "bot.grant_changed",
            actor=actor,
            target=f"user:{bot.pk}",
            reason=_rights(can_post=can_post, can_read=can_read),
            room_id=locked.pk,
        )
    _membership, joined = Membership.objects.get_or_create(room=locked, user=bot)
    if joined:
        event_append(
            room=locked,
            kind="member.joined",
            data=room_events.member_joined(user=bot, role=Membership.Role.MEMBER),
        )
    if joined or not created:
        # Also when rights change: the bot's sockets re-read which rooms they may follow.
        _publish_membership(user_id=bot.pk, room_id=locked.pk, joined=can_read)
    return GrantResult(grant=grant, created=created)


def _rights(*, can_post: bool, can_read: bool) -> str:
    return ",".join(name for name, on in (("post", can_post), ("read", can_read)) if on) or "none"


@transaction.atomic
def bot_grant_withdraw(*, actor: User, bot_id: int, room_id: int) -> None:
    bot, room = access_bot_grantable(actor=actor, bot_id=bot_id, room_id=room_id)
    grant = BotGrant.objects.filter(bot=bot, room=room).first()
    if grant is None:
        raise NotFound()
    _withdraw(actor=actor, bot=bot, grant=grant)
    audit_record(
        action="bot.grant_withdrawn", actor=actor, target=f"user:{bot.pk}", room_id=room.pk
    )


def _withdraw(*, actor: User, bot: User, grant: BotGrant) -> None:
    """Take a room from a bot: its grant, its hooks there, its membership (with the event)."""
    locked = room_lock(grant.room_id)
    grant.delete()
    IncomingWebhook.objects.filter(bot=bot, room=locked, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    # A later grant must not silently resume watching: the owner chooses again.
    OutgoingWebhook.watched_rooms.through.objects.filter(
        outgoingwebhook__bot=bot, room=locked
    ).delete()
    removed, _rows = Membership.objects.filter(room=locked, user=bot).delete()
    if removed:
        event_append(
            room=locked,
            kind="member.left",
            data=room_events.member_left(user=bot, removed_by=actor),
        )
        _publish_membership(user_id=bot.pk, room_id=locked.pk, joined=False)


@transaction.atomic
def bot_delete(*, actor: User, bot_id: int) -> None:
    """Its owner (or staff) retires a bot: it leaves every room, its tokens and hooks stop at
    once, its sockets close. The account stays (deactivated) so its messages keep an author."""
    _not_a_bot(actor)
    bot = access_bot(actor=actor, bot_id=bot_id)
    if not bot.is_active:
        raise NotFound()
    for grant in BotGrant.objects.filter(bot=bot).order_by("room_id"):
        _withdraw(actor=actor, bot=bot, grant=grant)
    now = timezone.now()
    IncomingWebhook.objects.filter(bot=bot, revoked_at__isnull=True).update(revoked_at=now)
    OutgoingWebhook.objects.filter(bot=bot).delete()
    ApiToken.objects.filter(user=bot, revoked_at__isnull=True).update(revoked_at=now)
    bot.is_active = False
    bot.save(update_fields=["is_active"])
    accounts.user_closed(user_id=bot.pk)
    audit_record(action="bot.deleted", actor=actor, target=f"user:{bot.pk}")


# --- incoming webhooks -----------------------------------------------------------------------


def hook_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hook_url(secret: str) -> str:
    return f"{settings.PREAU_BASE_URL}/hooks/{secret}"


@dataclass(frozen=True)
class HookResult:
    hook: IncomingWebhook
    secret: str


@transaction.atomic
def hook_create(*, actor: User, bot_id: int, room_id: int) -> HookResult:
    bot = access_bot(actor=actor, bot_id=bot_id)
    require_bot_may_post(bot=bot, room_id=room_id)
    # Hex only: Apprise and other clients take the secret as a path segment as it is.
    secret = secrets.token_hex(24)
    hook = IncomingWebhook.objects.create(
        bot=bot,
        room_id=room_id,
        secret_digest=hook_digest(secret),
        prefix=secret[:8],
        created_by=actor,
    )
    # The hook's id only: its secret and its prefix never reach the trail.
    audit_record(
        action="hook.created",
        actor=actor,
        target=f"hook:{hook.pk}",
        reason=f"user:{bot.pk}",
        room_id=room_id,
    )
    return HookResult(hook=hook, secret=secret)


def _access_hook(secret: str) -> IncomingWebhook:
    if not secret or len(secret) > 200:
        raise NotFound(_("Ce webhook n'existe pas ou a été révoqué."))
    hook = (
        IncomingWebhook.objects.select_related("bot", "bot__organisation")
        .filter(secret_digest=hook_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if hook is None or not hook.bot.is_agent:
        raise NotFound(_("Ce webhook n'existe pas ou a été révoqué."))
    return hook


def _target_room(*, hook: IncomingWebhook, channel: str | int | None) -> int:
    """The room a post goes to: the hook's, or ``channel`` (an id or name among the grants)."""
    if channel is None or channel == "":
        return hook.room_id
    grants = BotGrant.objects.filter(bot=hook.bot).select_related("room")
    if isinstance(channel, int) or channel.strip().isdigit():
        wanted = int(channel)
        matches = [g for g in grants if g.room_id == wanted]
    else:
        name = channel.strip().removeprefix("#").casefold()
        matches = [g for g in grants if g.room.name.casefold() == name]
    if not matches:
        raise NotFound(_("Ce robot n'a accès à aucun salon « %(c)s ».") % {"c": channel})
    if len(matches) > 1:
        raise BadRequest(
            _("Plusieurs salons s'appellent « %(c)s » : indiquez son numéro.") % {"c": channel},
            reason="ambiguous_channel",
        )
    return matches[0].room_id


def hook_post(*, secret: str, payload: dict[str, Any]) -> Message:
    """Post a Slack-format payload through a hook, as its bot."""
    hook = _access_hook(secret)
    channel = payload.get("channel")
    room_id = _target_room(hook=hook, channel=channel if isinstance(channel, str | int) else None)
    require_bot_may_post(bot=hook.bot, room_id=room_id)
    thread = _hook_thread(payload)
    return _post_slack(bot=hook.bot, room_id=room_id, thread=thread, payload=payload, hook=hook)


def _hook_thread(payload: dict[str, Any]) -> int | None:
    """The message to reply to: Préau's ``thread`` (a number), or Slack's ``thread_ts`` given
    as that message's id (tools that thread replies send back what they were told)."""
    thread = payload.get("thread")
    if thread is not None:
        if not isinstance(thread, int) or isinstance(thread, bool):
            raise BadRequest(_("« thread » doit être un identifiant de message."))
        return thread
    ts = payload.get("thread_ts")
    if ts is None:
        return None
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts
    if isinstance(ts, str) and ts.isascii() and ts.isdigit() and len(ts) <= 18:
        return int(ts)
    raise BadRequest(
        _("« thread_ts » doit être l'identifiant d'un message Préau."), reason="bad_thread_ts"
    )


def bot_reply(*, bot: User, room_id: int, thread: int | None, payload: dict[str, Any]) -> Message:
    """Post an outgoing webhook's Slack-style answer as its bot (it notifies no bot in turn)."""
    require_bot_may_post(bot=bot, room_id=room_id)
    return _post_slack(bot=bot, room_id=room_id, thread=thread, payload=payload, hook=None)


def _post_slack(
    *,
    bot: User,
    room_id: int,
    thread: int | None,
    payload: dict[str, Any],
    hook: IncomingWebhook | None,
) -> Message:
    members = Membership.objects.filter(room_id=room_id).count()
    rendered = slack.render(payload, everyone=members <= EVERYONE_OPEN_UP_TO)
    if len(rendered.body) > settings.PREAU["MESSAGE_MAX_CHARS"]:
        raise TooLarge(_("Le message obtenu dépasse 10 000 caractères ; il n'a pas été envoyé."))
    if not rendered.body:
        raise BadRequest(_("Le message est vide (ni text, ni blocks, ni attachments)."))
    if hook is not None:
        ratelimit.spend(f"hook:{hook.pk}", per_minute=settings.PREAU["HOOK_POSTS_PER_MINUTE"])
    # The bot's own limit is spent by message_send, as for every other way a bot posts.
    result = messaging.message_send(
        actor=bot,
        room_id=room_id,
        body=rendered.body,
        thread=thread,
        meta=rendered.meta,
        notify_bots=hook is not None,
    )
    return result.message
