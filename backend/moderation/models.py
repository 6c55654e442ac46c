"""Room moderation state: posting policy, pins, mutes, bans, hidden messages and reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoomPolicy(models.Model):
    """Who may post in a room and how often. No row: everyone, no slow mode."""

    class Posting(models.TextChoices):
        ALL = "all", _("Tous les membres")
        ANNOUNCEMENT = "announcement", _("Annonces : modérateurs seulement")
        READ_ONLY = "read_only", _("Lecture seule")

    room = models.OneToOneField("rooms.Room", on_delete=models.CASCADE, related_name="policy")
    posting = models.CharField(max_length=16, choices=Posting.choices, default=Posting.ALL)
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("règles de publication")

    def __str__(self) -> str:
        return f"policy of {self.room_id}: {self.posting}, slow {self.slow_mode_seconds}s"


class Pin(models.Model):
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="pins")
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.CASCADE, related_name="pin"
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["room", "-pinned_at", "-pk"]

    def __str__(self) -> str:
        return f"pin of {self.message_id} in {self.room_id}"


class Mute(models.Model):
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} muted in {self.room_id} until {self.until:%Y-%m-%d %H:%M}"


class Ban(models.Model):
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="bans")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="ban_once")]

    def __str__(self) -> str:
        return f"{self.user_id} banned from {self.room_id}"


class HiddenMessage(models.Model):
    """A message a moderator removed: its content is kept for the audit period, then erased."""

    message = models.OneToOneField(
        "messaging.Message", on_delete=models.CASCADE, related_name="hidden"
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(default=timezone.now, db_index=True)
    erased = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.message_id} hidden"


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("À traiter")
        RESOLVED = "resolved", _("Traité")
        DISMISSED = "dismissed", _("Rejeté")

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="reports")
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=models.Q(status="open"),
                name="report_open_once",
            )
        ]
        indexes = [models.Index(fields=["room", "status"])]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.message_id} ({self.status})"
