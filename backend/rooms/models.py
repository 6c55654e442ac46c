from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Territory(models.Model):
    class Level(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")

    # INSEE code: 5 characters for a commune, 2-3 for a département, 2 for a région.
    # Codes are unique per level (région 11 and département 11 are different places).
    insee_code = models.CharField(_("code INSEE"), max_length=5)
    name = models.CharField(_("nom"), max_length=150)
    level = models.CharField(_("niveau"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["level", "insee_code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "insee_code"], name="territory_level_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Room(models.Model):
    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("Thématique")
        GEOGRAPHIC = "geographic", _("Territoire")
        PRIVATE = "private", _("Privé")
        # A conversation between a few agents (backend.direct): invite-only, never listed,
        # never joined; its members are exactly the people it was opened with.
        DIRECT = "direct", _("Message direct")

    class Access(models.TextChoices):
        OPEN = "open", _("Ouvert à tous les agents")
        ORGANISATION = "organisation", _("Réservé à une organisation")
        INVITE = "invite", _("Sur invitation")

    name = models.CharField(_("nom"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    access = models.CharField(_("accès"), max_length=16, choices=Access.choices)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT)
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    retention_days = models.PositiveIntegerField(
        _("durée de conservation (jours)"),
        null=True,
        blank=True,
        help_text=_(
            "Les messages plus anciens sont effacés par « preau purge ». Vide : conservés."
        ),
    )
    # Last assigned event sequence number; bumped under a row lock in the writer's transaction.
    last_seq = models.PositiveBigIntegerField(default=0)
    # Direct rooms only: the sorted participant ids ("3-8-12"), so opening a conversation with
    # the same people finds the same room, also under concurrent requests.
    direct_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="private") | Q(access="invite"), name="private_room_is_invite"
            ),
            models.CheckConstraint(
                condition=~Q(access="organisation") | Q(organisation__isnull=False),
                name="organisation_room_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(kind="direct") | Q(access="invite"), name="direct_room_is_invite"
            ),
            models.CheckConstraint(
                condition=(Q(kind="direct") & Q(direct_key__isnull=False))
                | (~Q(kind="direct") & Q(direct_key__isnull=True)),
                name="direct_room_has_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Propriétaire")
        MODERATOR = "moderator", _("Modérateur")
        MEMBER = "member", _("Membre")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("adhésion")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id} ({self.role})"


class Invitation(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "invitee"], name="invitation_unique")
        ]

    def __str__(self) -> str:
        return f"invitation of {self.invitee_id} to {self.room_id}"


class RoomEvent(models.Model):
    """One persistent change in a room, numbered gap-free per room."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=64)
    data = models.JSONField()
    # The message an event is about, so deletion and moves can redact earlier events.
    message = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="room_event_seq")]
        ordering = ["room", "seq"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} in room {self.room_id}"

    def as_frame(self) -> dict:
        return {
            "type": "event",
            "room": self.room_id,
            "seq": self.seq,
            "event": self.kind,
            "data": self.data,
        }
