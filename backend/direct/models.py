"""Blocks between agents. Direct conversations themselves are rooms (``Room.Kind.DIRECT``)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Block(models.Model):
    """``blocker`` no longer receives direct messages from ``blocked``. Private: ``blocked``
    is never told, and the refusals it meets do not say who blocked whom."""

    blocker = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("blocage")
        verbose_name_plural = _("blocages")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
