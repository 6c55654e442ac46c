from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Message(models.Model):
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages"
    )
    # Markdown source, at most PREAU["MESSAGE_MAX_CHARS"] characters (checked by the service).
    body = models.TextField()
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    documents = models.JSONField(default=list, blank=True)
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 NULL = no key
    seq = models.PositiveBigIntegerField(help_text="seq of the message.created event")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_author_client_id",
            )
        ]
        indexes = [models.Index(fields=["room", "seq"])]

    def __str__(self) -> str:
        return f"message {self.pk} in room {self.room_id}"
