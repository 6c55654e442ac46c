"""Job offers (offres d'emploi) and the rooms each was announced in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobOffer(models.Model):
    class Category(models.TextChoices):
        """The three categories of the fonction publique."""

        A = "A", _("Catégorie A")
        B = "B", _("Catégorie B")
        C = "C", _("Catégorie C")

    class Filiere(models.TextChoices):
        """The filières of the fonction publique territoriale (a fixed list, not rooms' themes:
        themes are added by staff at will; ``fields.FIELD_THEMES`` maps one onto the other)."""

        ADMINISTRATIVE = "administrative", _("Administrative")
        TECHNIQUE = "technique", _("Technique")
        CULTURELLE = "culturelle", _("Culturelle")
        SPORTIVE = "sportive", _("Sportive")
        SOCIALE = "sociale", _("Sociale")
        MEDICO_SOCIALE = "medico-sociale", _("Médico-sociale")
        MEDICO_TECHNIQUE = "medico-technique", _("Médico-technique")
        ANIMATION = "animation", _("Animation")
        POLICE = "police-municipale", _("Police municipale")
        POMPIERS = "sapeurs-pompiers", _("Sapeurs-pompiers")

    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10_000)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="job_offers"
    )
    # The commune, and its département and région copied from the territories' parent chain,
    # so a board filter on any level is one indexed equality.
    commune = models.ForeignKey(
        "rooms.Territory", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    departement = models.ForeignKey(
        "rooms.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "rooms.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("catégorie"), max_length=1, choices=Category.choices)
    field = models.CharField(_("filière"), max_length=32, choices=Filiere.choices)
    closes_on = models.DateField(_("date limite de candidature"))
    # Checked by the services (https only); a plain CharField keeps forms from guessing a scheme.
    link = models.CharField(_("lien"), max_length=2048)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="job_offers"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offre d'emploi")
        verbose_name_plural = _("offres d'emploi")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["closes_on", "withdrawn_at"], name="job_board")]

    def __str__(self) -> str:
        return self.title


class JobAnnouncement(models.Model):
    """One room an offer was announced in: at most once per room, whatever the retries."""

    offer = models.ForeignKey(JobOffer, on_delete=models.CASCADE, related_name="announcements")
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "messaging.Message", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "room"], name="job_announcement_unique")
        ]

    def __str__(self) -> str:
        return f"offer {self.offer_id} in room {self.room_id}"
