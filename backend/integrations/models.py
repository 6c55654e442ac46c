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
