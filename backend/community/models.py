"""Points, levels and the member profile (skills, CV, territory)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointEntry(models.Model):
    """One line of the append-only points ledger. A withdrawal is a negative line, never an
    update or a delete, so a member's total (and level) can always be recomputed."""

    class Kind(models.TextChoices):
        THREAD_REPLY = "thread_reply", _("Réponse dans un fil")
        REACTION = "reaction", _("Réaction reçue")
        USEFUL = "useful", _("Réponse jugée utile")
        DOCUMENT = "document", _("Document partagé")
        READING = "reading", _("Lecture")
        REPORT = "report", _("Signalement confirmé")
        GRANT = "grant", _("Attribution par la plateforme")
        FICHE = "fiche", _("Contribution à une fiche pratique")
        FICHE_VALIDATED = "fiche_validated", _("Fiche pratique validée")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    amount = models.IntegerField(_("points"))
    # What earned (or cost) the points, e.g. ``reaction:42:7``: an award and its withdrawal
    # share it, so the net of one source is 0 or its award.
    source = models.CharField(_("origine"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("points")
        verbose_name_plural = _("registre des points")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "source"])]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.kind} ({self.source})"


class Standing(models.Model):
    """A member's total and level: a cache of the ledger (``standing_recompute`` rebuilds it)."""

    user = models.OneToOneField(
        "accounts.User", primary_key=True, on_delete=models.CASCADE, related_name="standing"
    )
    points = models.IntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=1)
    # The top level, animateur référent, is granted by platform staff only.
    referent = models.BooleanField(_("animateur référent"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.points} ({self.level})"


class UsefulMark(models.Model):
    """The asker (author of a thread's first message) marks a reply as useful."""

    message = models.OneToOneField(
        "messaging.Message", on_delete=models.CASCADE, related_name="useful_mark"
    )
    marked_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"useful {self.message_id}"


class MemberProfile(models.Model):
    """What an agent tells the directory beyond name, job and organisation."""

    user = models.OneToOneField(
        "accounts.User", primary_key=True, on_delete=models.CASCADE, related_name="profile"
    )
    skills = models.JSONField(_("compétences"), default=list, blank=True)
    cv = models.TextField(_("CV"), blank=True, max_length=20_000)
    cv_public = models.BooleanField(_("CV public"), default=False)
    show_email = models.BooleanField(_("adresse visible des membres"), default=False)
    # Where the agent works, when it is not the organisation's own commune.
    territory = models.ForeignKey(
        "rooms.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self) -> str:
        return f"profile {self.user_id}"
