"""Outgoing webhooks: a bot's endpoint, notified when it is mentioned or a watched room speaks.

Writes (create, delete, rotate the secret) and the outbox: ``deliveries_enqueue`` runs inside
the transaction that creates a message, so a message and its deliveries commit together; the
workers in ``delivery.py`` send them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, Forbidden, NotFound, TooLarge
from backend.messaging.models import Message

from . import netguard
from .access import access_bot
from .models import BotGrant, OutgoingDelivery, OutgoingWebhook

WATCHED_ROOMS_MAX = 50
DELIVERIES_SHOWN = 50


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class OutgoingResult:
    webhook: OutgoingWebhook
    secret: str


def _watched_rooms(*, bot: User, rooms: Any) -> list[int]:
    if rooms is None:
        return []
    if not isinstance(rooms, list):
        raise BadRequest(_("« rooms » doit être une liste d'identifiants de salons."))
    if len(rooms) > WATCHED_ROOMS_MAX:
        raise TooLarge(_("Un webhook suit au plus %(n)d salons.") % {"n": WATCHED_ROOMS_MAX})
    wanted = set()
    for room_id in rooms:
        if not isinstance(room_id, int) or isinstance(room_id, bool) or room_id <= 0:
            raise BadRequest(_("« rooms » doit être une liste d'identifiants de salons."))
        wanted.add(room_id)
    readable = set(
        BotGrant.objects.filter(bot=bot, room_id__in=wanted, can_read=True).values_list(
            "room_id", flat=True
        )
    )
    missing = sorted(wanted - readable)
    if missing:
        raise Forbidden(
            _("Ce robot n'a pas le droit de lire le salon %(r)d : il ne peut pas le suivre.")
            % {"r": missing[0]},
            reason="room_not_readable",
        )
    return sorted(wanted)


@transaction.atomic
def outgoing_create(
    *, actor: User, bot_id: int, url: str, on_mention: bool = True, rooms: Any = None
) -> OutgoingResult:
    """A new endpoint for the bot; its signing secret is returned this once."""
    bot = access_bot(actor=actor, bot_id=bot_id)
    room_ids = _watched_rooms(bot=bot, rooms=rooms)
    if not on_mention and not room_ids:
        raise BadRequest(
            _("Ce webhook ne serait jamais appelé : choisissez les mentions ou des salons."),
            reason="nothing_to_watch",
        )
    netguard.resolve(url)
    if bot.outgoing_hooks.count() >= settings.PREAU["OUTGOING_HOOKS_PER_BOT"]:
        raise Forbidden(
            _("Ce robot a déjà %(n)d webhooks sortants.")
            % {"n": settings.PREAU["OUTGOING_HOOKS_PER_BOT"]},
            reason="too_many_webhooks",
        )
    secret = _new_secret()
    webhook = OutgoingWebhook.objects.create(
        bot=bot, url=url.strip(), secret=secret, on_mention=on_mention, created_by=actor
    )
    webhook.watched_rooms.set(room_ids)
    # Never the URL (it may carry a token of the receiver) nor the signing secret.
    _audit("outgoing.created", actor=actor, webhook=webhook)
    return OutgoingResult(webhook=webhook, secret=secret)


def _access_outgoing(*, actor: User, bot_id: int, webhook_id: int) -> OutgoingWebhook:
    bot = access_bot(actor=actor, bot_id=bot_id)
    webhook = OutgoingWebhook.objects.filter(pk=webhook_id, bot=bot).first()
    if webhook is None:
        raise NotFound()
    return webhook


@transaction.atomic
def outgoing_delete(*, actor: User, bot_id: int, webhook_id: int) -> None:
    """Remove the endpoint; its pending deliveries go with it."""
    webhook = _access_outgoing(actor=actor, bot_id=bot_id, webhook_id=webhook_id)
    _audit("outgoing.deleted", actor=actor, webhook=webhook)
    webhook.delete()


@transaction.atomic
def outgoing_secret_rotate(*, actor: User, bot_id: int, webhook_id: int) -> OutgoingResult:
    """A new signing secret, at once (the receiver switches with the answer shown once)."""
    webhook = _access_outgoing(actor=actor, bot_id=bot_id, webhook_id=webhook_id)
    secret = _new_secret()
    webhook.secret = secret
    webhook.secret_rotated_at = timezone.now()
    webhook.save(update_fields=["secret", "secret_rotated_at"])
    _audit("outgoing.secret_rotated", actor=actor, webhook=webhook)
    return OutgoingResult(webhook=webhook, secret=secret)


def _audit(action: str, *, actor: User, webhook: OutgoingWebhook) -> None:
    from backend.audit.services import audit_record

    audit_record(
        action=action, actor=actor, target=f"outgoing:{webhook.pk}", reason=f"user:{webhook.bot_id}"
    )


# --- reads ------------------------------------------------------------------------------------


def outgoing_dict(webhook: OutgoingWebhook) -> dict[str, Any]:
    counts = getattr(webhook, "counts", None) or {}
    return {
        "id": webhook.pk,
        "bot": webhook.bot_id,
        "url": webhook.url,
        "on_mention": webhook.on_mention,
        "rooms": sorted(r.pk for r in webhook.watched_rooms.all()),
        "secret_prefix": webhook.secret[:10],
        "created_at": webhook.created_at,
        "pending": counts.get("pending", 0),
        "failed": counts.get("failed", 0),
    }


def outgoing_list_for(*, actor: User, bot_id: int) -> list[dict[str, Any]]:
    bot = access_bot(actor=actor, bot_id=bot_id)
    hooks = list(
        OutgoingWebhook.objects.filter(bot=bot)
        .prefetch_related("watched_rooms")
        .annotate(
            n_pending=Count("deliveries", filter=Q(deliveries__status="pending")),
            n_failed=Count("deliveries", filter=Q(deliveries__status="failed")),
        )
        .order_by("pk")
    )
    for hook in hooks:
        hook.counts = {"pending": hook.n_pending, "failed": hook.n_failed}  # type: ignore[attr-defined]
    return [outgoing_dict(h) for h in hooks]


def deliveries_for(*, actor: User, bot_id: int, webhook_id: int) -> list[dict[str, Any]]:
    """The latest deliveries of one endpoint, failures included, for its owner."""
    webhook = _access_outgoing(actor=actor, bot_id=bot_id, webhook_id=webhook_id)
    rows = OutgoingDelivery.objects.filter(webhook=webhook).order_by("-pk")[:DELIVERIES_SHOWN]
    return [
        {
            "id": d.pk,
            "message": d.message_id,
            "trigger": d.trigger,
            "status": d.status,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at if d.status == "pending" else None,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "reply": d.reply_id,
            "created_at": d.created_at,
            "finished_at": d.finished_at,
        }
        for d in rows
    ]


# --- the outbox -------------------------------------------------------------------------------


def deliveries_enqueue(*, message: Message, mentioned: list[int]) -> int:
    """Queue the notifications of a new message (call inside its transaction).

    Only bots granted reading in the message's room are notified, never the author itself.
    """
    readers = BotGrant.objects.filter(room_id=message.room_id, can_read=True, bot__is_active=True)
    reader_ids = set(readers.exclude(bot_id=message.author_id).values_list("bot_id", flat=True))
    if not reader_ids:
        return 0
    hooks = (
        OutgoingWebhook.objects.filter(bot_id__in=reader_ids)
        .filter(Q(on_mention=True, bot_id__in=mentioned) | Q(watched_rooms=message.room_id))
        .distinct()
    )
    mentioned_set = set(mentioned)
    rows = [
        OutgoingDelivery(
            webhook=hook,
            message=message,
            trigger=(
                OutgoingDelivery.Trigger.MENTION
                if hook.on_mention and hook.bot_id in mentioned_set
                else OutgoingDelivery.Trigger.ROOM
            ),
        )
        for hook in hooks
    ]
    if rows:
        OutgoingDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        from . import worker

        transaction.on_commit(worker.wake)
    return len(rows)
