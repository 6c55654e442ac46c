"""Sending the outbox: signed POSTs to outgoing webhooks, retries, and replies in the body.

Every server process runs ``deliver_due`` in its worker thread (``worker.py``). A due row is
claimed in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL) that
pushes its next attempt one lease ahead, so another process skips it, and a process that
dies mid-delivery only delays it by the lease. The HTTP call happens outside any transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from backend.common.errors import PreauError
from backend.messaging.models import Message

from . import netguard
from .models import BotGrant, OutgoingDelivery, OutgoingWebhook

log = logging.getLogger("preau.integrations.delivery")

SIGNATURE_VERSION = "v1"
USER_AGENT = "Preau-Webhooks/1"
ERROR_MAX = 300


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``v1=`` + hex HMAC-SHA256 of ``<timestamp>.<body>`` under the webhook's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={digest.hexdigest()}"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload_for(delivery: OutgoingDelivery, message: Message, *, now: datetime) -> dict[str, Any]:
    webhook = delivery.webhook
    return {
        "type": "message.created",
        "trigger": delivery.trigger,
        "delivery": delivery.pk,
        "webhook": webhook.pk,
        "bot": {"id": webhook.bot_id, "name": webhook.bot.name},
        "room": {"id": message.room_id, "name": message.room.name},
        "message": {
            "id": message.pk,
            "seq": message.seq,
            "thread": message.thread_id,
            "body": message.body,
            "author": {
                "id": message.author_id,
                "name": message.author.name,
                "is_bot": message.author.is_bot,
            },
            "created_at": _iso(message.created_at),
        },
        "sent_at": _iso(now),
    }


def _claim(*, now: datetime, limit: int) -> list[int]:
    lease = timedelta(seconds=settings.PREAU["OUTGOING_TIMEOUT_SECONDS"] + 30)
    with transaction.atomic():
        ids = list(
            OutgoingDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingDelivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutgoingDelivery.objects.filter(pk__in=ids).update(
            next_attempt_at=now + lease, attempts=F("attempts") + 1
        )
    return ids


def deliver_due(*, now: datetime | None = None, limit: int = 20) -> int:
    """Send the deliveries that are due; returns how many were attempted."""
    now = now or timezone.now()
    ids = _claim(now=now, limit=limit)
    # Errors are stored for the owner to read later: in the site's language, whatever language
    # the calling thread last served a request in.
    with translation.override(settings.LANGUAGE_CODE):
        for delivery_id in ids:
            try:
                deliver_one(delivery_id, now=now)
            except Exception:  # one bad delivery must not stop the others
                log.exception("outgoing delivery %s crashed", delivery_id)
    return len(ids)


def _finish(delivery: OutgoingDelivery, status: str, *, now: datetime, **fields: Any) -> None:
    delivery.status = status
    delivery.finished_at = now
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save()


def _retry_or_fail(delivery: OutgoingDelivery, error: str, *, now: datetime, code: int | None):
    delays = settings.PREAU["OUTGOING_RETRY_DELAYS"]
    error = error[:ERROR_MAX]
    if delivery.attempts > len(delays):
        log.warning("outgoing delivery %s failed for good: %s", delivery.pk, error)
        _finish(
            delivery,
            OutgoingDelivery.Status.FAILED,
            now=now,
            last_error=error,
            last_status_code=code,
        )
        return
    delivery.next_attempt_at = now + timedelta(seconds=delays[delivery.attempts - 1])
    delivery.last_error = error
    delivery.last_status_code = code
    delivery.save(update_fields=["next_attempt_at", "last_error", "last_status_code"])


def _still_allowed(webhook: OutgoingWebhook, message: Message) -> bool:
    """Checked at send time: grants may have changed since the message was queued."""
    if not webhook.bot.is_active or message.deleted_at is not None:
        return False
    return BotGrant.objects.filter(
        bot_id=webhook.bot_id, room_id=message.room_id, can_read=True
    ).exists()


def deliver_one(delivery_id: int, *, now: datetime) -> None:
    delivery = (
        OutgoingDelivery.objects.select_related("webhook", "webhook__bot")
        .filter(pk=delivery_id, status=OutgoingDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return
    message = Message.objects.select_related("room", "author").get(pk=delivery.message_id)
    webhook = delivery.webhook
    if not _still_allowed(webhook, message):
        _finish(delivery, OutgoingDelivery.Status.CANCELLED, now=now)
        return
    try:
        target = netguard.resolve(webhook.url)
    except PreauError as exc:
        if exc.reason == "private_address":
            _finish(delivery, OutgoingDelivery.Status.FAILED, now=now, last_error=str(exc))
        else:
            _retry_or_fail(delivery, str(exc), now=now, code=None)
        return
    body = json.dumps(payload_for(delivery, message, now=now), ensure_ascii=False).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Preau-Delivery": str(delivery.pk),
        "X-Preau-Timestamp": timestamp,
        "X-Preau-Signature": signature(secret=webhook.secret, timestamp=timestamp, body=body),
    }
    try:
        response = netguard.post(
            target,
            body=body,
            headers=headers,
            timeout=settings.PREAU["OUTGOING_TIMEOUT_SECONDS"],
        )
    except TimeoutError:
        _retry_or_fail(delivery, "timeout", now=now, code=None)
        return
    except (OSError, http.client.HTTPException) as exc:
        _retry_or_fail(delivery, f"{type(exc).__name__}: {exc}", now=now, code=None)
        return
    if not 200 <= response.status < 300:
        _retry_or_fail(delivery, f"HTTP {response.status}", now=now, code=response.status)
        return
    reply_id, reply_error = _post_reply(delivery, message, response)
    _finish(
        delivery,
        OutgoingDelivery.Status.DELIVERED,
        now=now,
        last_status_code=response.status,
        last_error=reply_error[:ERROR_MAX],
        reply_id=reply_id,
    )


def _reply_payload(response: netguard.Response) -> dict[str, Any] | None:
    if not response.body.strip() or "json" not in response.content_type.lower():
        return None
    if len(response.body) > settings.PREAU["HOOK_MAX_BYTES"]:
        return None
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not any(k in data for k in ("text", "blocks", "attachments")):
        return None
    return data


def _post_reply(
    delivery: OutgoingDelivery, message: Message, response: netguard.Response
) -> tuple[int | None, str]:
    """A Slack-style ``{"text": …}`` answer is posted as the bot, in the message's thread."""
    data = _reply_payload(response)
    if data is None:
        return None, ""
    from . import services

    try:
        reply = services.bot_reply(
            bot=delivery.webhook.bot,
            room_id=message.room_id,
            thread=message.thread_id,
            payload=data,
        )
    except PreauError as exc:
        return None, f"reply refused: {exc}"
    return reply.pk, ""
