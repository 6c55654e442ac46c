from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """A security-relevant action: who, what, on what, from where, why. Never a body or secret."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("auteur"),
    )
    action = models.CharField(_("action"), max_length=64)
    # What the action was about, as "kind:id" (e.g. "user:12") or an opaque digest.
    target = models.CharField(_("cible"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    reason = models.CharField(_("motif"), max_length=255, blank=True)
    # The room the action happened in, so its moderators can read their room's entries; a plain
    # id (no foreign key) so the trail outlives the room.
    room_id = models.PositiveBigIntegerField(_("salon"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target} ({self.created_at:%Y-%m-%d %H:%M})"
