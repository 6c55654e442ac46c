"""The personal home feed keeps one thing of its own: how far each agent has seen it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HomeSeen(models.Model):
    """« Tout marquer comme vu »: every home item up to ``seen_until`` counts as seen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seen_until = models.DateTimeField(_("vu jusqu'au"))

    class Meta:
        verbose_name = _("accueil vu")
        verbose_name_plural = _("accueils vus")

    def __str__(self) -> str:
        return f"home of {self.user_id} seen until {self.seen_until:%Y-%m-%d %H:%M}"
