"""Fiches pratiques: knowledge drawn from a conversation, edited together, with its history.

Visibility: a fiche is readable by whoever may read the room that *currently* holds its anchor
message (the thread root, or the first chosen message), so a reclassification (moderation move)
carries the fiche along with its source; with the anchor gone for good (purged), the room it was
made from decides. An animateur may publish it for every agent (``published_at``), an explicit,
audited decision that a move does not undo (an animateur withdraws it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Fiche(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    # Markdown source (the web client's small Markdown subset).
    summary = models.TextField(_("synthèse"), max_length=20_000)
    theme = models.ForeignKey(
        "rooms.Theme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    territory = models.ForeignKey(
        "rooms.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The room the fiche was made from (its visibility once the anchor is gone).
    source_room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="fiches")
    anchor = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_thread = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_messages = models.JSONField(_("messages d'origine"), default=list)
    # Chosen among the source messages' links and files: {type, url, title, description,
    # message, file}.
    documents = models.JSONField(_("documents"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    revision_count = models.PositiveIntegerField(default=1)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Title, summary and documents' titles: what full-text search matches (kept by services).
    search_text = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("fiche pratique")
        verbose_name_plural = _("fiches pratiques")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class FicheRevision(models.Model):
    """One version of a fiche: who wrote it, when, a snapshot of its fields and a change note."""

    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    # {"slug", "name"} / {"insee_code", "name", "level"}, or null: what it was at the time.
    theme = models.JSONField(null=True, blank=True)
    territory = models.JSONField(null=True, blank=True)
    note = models.CharField(_("note de modification"), max_length=500, blank=True)

    class Meta:
        ordering = ["fiche", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fiche", "number"], name="fiche_revision_number")
        ]

    def __str__(self) -> str:
        return f"fiche {self.fiche_id} v{self.number}"


class FicheContributor(models.Model):
    """Who is credited: the authors of the source messages and the fiche's editors."""

    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="contributors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source_author = models.BooleanField(default=False)
    editor = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fiche", "user"], name="fiche_contributor_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on fiche {self.fiche_id}"
