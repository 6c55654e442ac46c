"""An agent's contacts, and the invitations an agent sent to colleagues without an account."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """``owner`` keeps ``contact`` in their list (one-way, like an address book)."""

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["owner", "contact"], name="contact_unique"),
            models.CheckConstraint(condition=~Q(owner=F("contact")), name="contact_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} -> {self.contact_id}"


class ContactInvitation(models.Model):
    """An invitation email sent on an agent's explicit request, kept only to limit how many
    are sent. The address itself is not stored: only a keyed digest of it, enough to refuse
    sending the same invitation again."""

    inviter = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    address_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["inviter", "created_at"]),
            models.Index(fields=["address_digest", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"
