from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BotGrant(models.Model):
    """A room a bot may act in, and what it may do there.

    Granting also makes the bot a member of the room, so the ordinary room rules (posting,
    reading, event delivery) apply to it; the rights below narrow them for bots.
    """

    bot = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bot_grants"
    )
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="bot_grants")
    can_post = models.BooleanField(_("peut écrire"), default=True)
    can_read = models.BooleanField(_("peut lire"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("salon autorisé à un robot")
        verbose_name_plural = _("salons autorisés aux robots")
        constraints = [models.UniqueConstraint(fields=["bot", "room"], name="bot_grant_once")]

    def __str__(self) -> str:
        return f"bot {self.bot_id} in room {self.room_id}"


class IncomingWebhook(models.Model):
    """``POST /hooks/<secret>``: posts as ``bot`` into ``room`` (or another room it may post in)."""

    bot = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incoming_hooks"
    )
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="+")
    # Only a SHA-256 digest of the secret is stored; the URL is shown once.
    secret_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook entrant")
        verbose_name_plural = _("webhooks entrants")

    def __str__(self) -> str:
        return f"hook {self.prefix}… of bot {self.bot_id}"


class Announcement(models.Model):
    """A message posted at once to an audience of rooms, pinned in each for a while."""

    class Audience(models.TextChoices):
        ROOMS = "rooms", _("Liste de salons")
        TERRITORY = "territory", _("Salons territoriaux d'un territoire")
        THEME = "theme", _("Salons d'un thème")
        ORGANISATION_KIND = "organisation_kind", _("Agents d'un type d'organisation")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements"
    )
    body = models.TextField()
    audience = models.CharField(max_length=32, choices=Audience.choices)
    # What the audience was given as: room ids, an INSEE code (and level), a theme, a kind.
    target = models.JSONField(default=dict)

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Programmée")
        SENT = "sent", _("Envoyée")
        CANCELLED = "cancelled", _("Annulée")
        FAILED = "failed", _("Échouée")

    pinned_until = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    # Scheduled sending: sent once by the due-sender when ``send_at`` is reached.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    send_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    pinned_days = models.PositiveSmallIntegerField(default=7)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["send_at"],
                condition=models.Q(status="scheduled"),
                name="announcement_due",
            )
        ]

    def __str__(self) -> str:
        return f"announcement {self.pk} ({self.audience})"


class AnnouncementDelivery(models.Model):
    """The announcement's message in one room (read count: members who read past its seq)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    room = models.ForeignKey(
        "rooms.Room", on_delete=models.CASCADE, related_name="announcement_deliveries"
    )
    message = models.ForeignKey("messaging.Message", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "room"], name="announcement_room_once")
        ]

    def __str__(self) -> str:
        return f"announcement {self.announcement_id} in room {self.room_id}"


class OutgoingWebhook(models.Model):
    """An HTTP endpoint of a bot, notified (signed POST) of mentions and of watched rooms.

    The signing secret is kept as it is (the server signs with it), shown to the owner once,
    rotatable. ``watched_rooms`` only ever holds rooms the bot is granted reading in, and that
    is checked again for each message, so a withdrawn grant stops deliveries at once.
    """

    bot = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outgoing_hooks"
    )
    url = models.URLField(max_length=2048)
    secret = models.CharField(max_length=128)
    on_mention = models.BooleanField(_("quand le robot est mentionné"), default=True)
    watched_rooms = models.ManyToManyField("rooms.Room", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook sortant")
        verbose_name_plural = _("webhooks sortants")

    def __str__(self) -> str:
        return f"outgoing hook {self.pk} of bot {self.bot_id}"


class OutgoingDelivery(models.Model):
    """The outbox: one notification of one message to one outgoing webhook.

    Written in the transaction that creates the message, so a committed message always has
    its deliveries and a crash loses none; workers claim due rows with SKIP LOCKED.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        DELIVERED = "delivered", _("Livrée")
        FAILED = "failed", _("Échouée")
        CANCELLED = "cancelled", _("Annulée")

    class Trigger(models.TextChoices):
        MENTION = "mention", _("Mention")
        ROOM = "room", _("Salon suivi")

    webhook = models.ForeignKey(
        OutgoingWebhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    message = models.ForeignKey("messaging.Message", on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    reply = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("livraison de webhook sortant")
        verbose_name_plural = _("livraisons de webhooks sortants")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "message"], name="outgoing_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outgoing_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of message {self.message_id} to hook {self.webhook_id}"


class BotAvatar(models.Model):
    """A bot's uploaded picture (small, kept in the database with the rest of the bot).

    A bot without one is shown with its initials on a colour drawn from its id.
    """

    bot = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    digest = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("image de robot")
        verbose_name_plural = _("images de robots")

    def __str__(self) -> str:
        return f"avatar of bot {self.bot_id}"
