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
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Body plus document titles: what full-text search matches (kept by the services).
    search_text = models.TextField(blank=True, default="")
    # Thread root bookkeeping, kept by the services under the room lock.
    reply_count = models.PositiveIntegerField(default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)

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


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    emoji = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.message_id}"


class MessageRevision(models.Model):
    """A previous version of an edited message, readable by the room's readers."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    documents = models.JSONField(default=list, blank=True)
    # When this version was written (the message's creation or a previous edit), and by whom.
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["message", "replaced_at", "pk"]

    def __str__(self) -> str:
        return f"revision of {self.message_id} written {self.written_at:%Y-%m-%d %H:%M}"


class ThreadFollow(models.Model):
    """A user following a thread (root message), with its read position in the thread."""

    root = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_threads"
    )
    last_read_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["root", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.root_id}"


class Mention(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mention_rows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    # Denormalised from the message for the inbox and unread counts (kept in step on moves).
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    everyone = models.BooleanField(default=False, help_text="@salon rather than @Name")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="mention_once")]
        indexes = [models.Index(fields=["user", "room", "seq"])]

    def __str__(self) -> str:
        return f"{self.user_id} mentioned in {self.message_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never comes from the uploader: a random key per file.
    return f"attachments/{instance.room_id}/{instance.key}"


class Attachment(models.Model):
    """An uploaded file, attached to at most one message of its room."""

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    key = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.size} o)"
